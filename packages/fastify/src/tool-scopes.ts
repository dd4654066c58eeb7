import { checkRouteOrder, toolScopeCheck } from '@keyward/core'
import { AUTHENTICATION, challenges, type KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

/**
 * A `preHandler` hook enforcing the per-tool scopes of an MCP server before the MCP SDK runs: a
 * JSON-RPC `tools/call` of a listed tool whose scopes `request.auth` lacks is answered 403
 * `insufficient_scope` (`scope="<the tool's scopes>"`; without a token 401 naming them), so a
 * client can step up. `Mcp-Method` / `Mcp-Name` headers (MCP 2026-07-28) that disagree with the
 * body are answered 400 with a JSON-RPC `HeaderMismatch` (-32020) error body. It reads the body
 * Fastify parsed: use it as `preValidation` or `preHandler` (in `onRequest` nothing is parsed
 * yet, and a JSON request is a set-up error, `TypeError`, 500). Scope names are validated now.
 *
 * @example
 * ```ts
 * api.post('/mcp', { preHandler: toolScopes({ write_note: ['notes:write'] }) }, handleMcp)
 * ```
 */
export function toolScopes(
  scopes: Readonly<Record<string, string | readonly string[]>>,
): KeywardHook {
  const check = toolScopeCheck(scopes)
  return (request, reply, done) => {
    try {
      const challenge = challenges.get(request)
      checkRouteOrder(request, request.auth, challenge, 'toolScopes', AUTHENTICATION)
      check(request, request.auth, challenge)
    } catch (error) {
      fail(error, request, reply, done)
      return
    }
    done()
  }
}
