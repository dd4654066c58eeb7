import { isJsonRpcRefusal } from '@keyward/core'
import type { Context } from 'koa'

/**
 * Internal: answers an MCP transport refusal (`JsonRpcRefusal`) with its status and JSON-RPC
 * body, which an MCP client reads (Koa's `ctx.onerror` would write the message as text); every
 * other error, `KeywardError`s included, is thrown on to Koa's error handling.
 */
export function refuse(error: unknown, ctx: Context): void {
  if (!isJsonRpcRefusal(error)) throw error
  ctx.status = error.status
  ctx.set(error.headers)
  ctx.body = error.toJSON()
}
