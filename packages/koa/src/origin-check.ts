import { originCheck as coreOriginCheck, type OriginCheckOptions } from '@keyward/core'
import type { Middleware } from 'koa'
import { refuse } from './refuse.js'

/**
 * Validates the `Origin` of every request, as the MCP Streamable HTTP transport requires of
 * servers (DNS rebinding protection): a request without `Origin` or from an allowed origin goes
 * on; any other is answered here, 403 with a JSON-RPC error body
 * (`{"jsonrpc":"2.0","error":{"code":-32000,"message":"origin not allowed"},"id":null}`), and
 * reaches no later middleware. Use it first, before `bearerAuth`. Options are validated now.
 *
 * @example
 * ```ts
 * app.use(originCheck({ allowedOrigins: ['https://app.example.com'] }))
 * app.use(bearerAuth(verifier))
 * ```
 */
export function originCheck(options: OriginCheckOptions): Middleware {
  const check = coreOriginCheck(options)
  return async (ctx, next) => {
    try {
      check(ctx.headers.origin)
    } catch (error) {
      refuse(error, ctx)
      return
    }
    await next()
  }
}
