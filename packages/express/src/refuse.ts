import { isJsonRpcRefusal } from '@keyward/core'
import type { NextFunction, Response } from 'express'

/**
 * Internal: answers an MCP transport refusal (`JsonRpcRefusal`) with its status and JSON-RPC
 * body, which an MCP client reads (an error handler would render keyward's or Express's body);
 * every other error, `KeywardError`s included, goes to `next(err)`.
 */
export function refuse(error: unknown, res: Response, next: NextFunction): void {
  if (isJsonRpcRefusal(error)) res.status(error.status).set(error.headers).json(error.toJSON())
  else next(error)
}
