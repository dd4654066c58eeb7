import { checkRouteOrder, toolScopeCheck } from '@keyward/core'
import type { RequestHandler } from 'express'
import { challenges } from './bearer-auth.js'
import { refuse } from './refuse.js'

/**
 * Per-tool scopes of an MCP server, checked before the MCP SDK runs: a JSON-RPC `tools/call` of
 * a listed tool whose scopes `req.auth` lacks goes to `next(err)` with `insufficient_scope`
 * (403, `scope="<the tool's scopes>"`; without a token 401 naming them), so a client can step
 * up. `Mcp-Method` / `Mcp-Name` headers (MCP 2026-07-28) that disagree with the body are
 * answered here, 400 with a JSON-RPC `HeaderMismatch` (-32020) error body. Mount after
 * `bearerAuth` and `express.json()`: it reads the parsed body, and a JSON request reaching it
 * unparsed is a set-up error (`TypeError`, 500). Scope names are validated now.
 *
 * @example
 * ```ts
 * app.post('/mcp', bearerAuth(verifier), express.json(), toolScopes({ write_note: ['notes:write'] }), handleMcp)
 * ```
 */
export function toolScopes(
  scopes: Readonly<Record<string, string | readonly string[]>>,
): RequestHandler {
  const check = toolScopeCheck(scopes)
  return (req, res, next) => {
    try {
      const challenge = challenges.get(req)
      checkRouteOrder(req, req.auth, challenge, 'toolScopes', 'bearerAuth')
      check(req, req.auth, challenge)
    } catch (error) {
      refuse(error, res, next)
      return
    }
    next()
  }
}
