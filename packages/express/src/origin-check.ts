import { originCheck as coreOriginCheck, type OriginCheckOptions } from '@keyward/core'
import type { RequestHandler } from 'express'
import { refuse } from './refuse.js'

/**
 * Validates the `Origin` of every request, as the MCP Streamable HTTP transport requires of
 * servers (DNS rebinding protection): a request without `Origin` or from an allowed origin goes
 * on; any other is answered here, 403 with a JSON-RPC error body
 * (`{"jsonrpc":"2.0","error":{"code":-32000,"message":"origin not allowed"},"id":null}`), and
 * reaches no later handler. Mount it first, before `bearerAuth`. Options are validated now.
 *
 * @example
 * ```ts
 * app.use('/mcp', originCheck({ allowedOrigins: ['https://app.example.com'] }), bearerAuth(verifier))
 * ```
 */
export function originCheck(options: OriginCheckOptions): RequestHandler {
  const check = coreOriginCheck(options)
  return (req, res, next) => {
    try {
      check(req.headers.origin)
    } catch (error) {
      refuse(error, res, next)
      return
    }
    next()
  }
}
