import { checkRouteOrder, toolScopeCheck } from '@keyward/core'
import type { Middleware } from 'koa'
import { challenges, type KeywardState } from './bearer-auth.js'
import { refuse } from './refuse.js'

/**
 * Per-tool scopes of an MCP server, checked before the MCP SDK runs: a JSON-RPC `tools/call` of
 * a listed tool whose scopes `ctx.state.auth` lacks throws `insufficient_scope` (403,
 * `scope="<the tool's scopes>"`; without a token 401 naming them), so a client can step up.
 * `Mcp-Method` / `Mcp-Name` headers (MCP 2026-07-28) that disagree with the body are answered
 * here, 400 with a JSON-RPC `HeaderMismatch` (-32020) error body. Use it after `bearerAuth` and
 * a body parser that sets `ctx.request.body` (`@koa/bodyparser`): a JSON request reaching it
 * unparsed is a set-up error (`TypeError`, 500). Scope names are validated now.
 *
 * @example
 * ```ts
 * router.post('/mcp', bearerAuth(verifier), bodyParser(), toolScopes({ write_note: ['notes:write'] }), handleMcp)
 * ```
 */
export function toolScopes(
  scopes: Readonly<Record<string, string | readonly string[]>>,
): Middleware<KeywardState> {
  const check = toolScopeCheck(scopes)
  return async (ctx, next) => {
    const { body } = ctx.request as { body?: unknown }
    try {
      const challenge = challenges.get(ctx)
      checkRouteOrder(ctx, ctx.state.auth, challenge, 'toolScopes', 'bearerAuth')
      check({ method: ctx.method, headers: ctx.headers, body }, ctx.state.auth, challenge)
    } catch (error) {
      refuse(error, ctx)
      return
    }
    await next()
  }
}
