import { originCheck as coreOriginCheck, type OriginCheckOptions } from '@keyward/core'
import type { KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

/**
 * An `onRequest` hook validating the `Origin` of every request, as the MCP Streamable HTTP
 * transport requires of servers (DNS rebinding protection): a request without `Origin` or from
 * an allowed origin goes on; any other is answered 403 with a JSON-RPC error body
 * (`{"jsonrpc":"2.0","error":{"code":-32000,"message":"origin not allowed"},"id":null}`). Add it
 * before `bearerAuth` (`app.addHook` in the context, or first in a route's `onRequest`), so a
 * foreign page gets 403 whatever its token. Options are validated now.
 *
 * @example
 * ```ts
 * app.addHook('onRequest', originCheck({ allowedOrigins: ['https://app.example.com'] }))
 * ```
 */
export function originCheck(options: OriginCheckOptions): KeywardHook {
  const check = coreOriginCheck(options)
  return (request, reply, done) => {
    try {
      check(request.headers.origin)
    } catch (error) {
      fail(error, request, reply, done)
      return
    }
    done()
  }
}
