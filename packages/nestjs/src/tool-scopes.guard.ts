import { Inject, mixin, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common'
import { checkRouteOrder, toolScopeCheck, type Verifier } from '@keyward/core'
import { guardFailure } from './keyward.exception.js'
import { KEYWARD_VERIFIER } from './keyward.module-definition.js'
import { challenges, type KeywardRequest, type KeywardResponse } from './keyward.request.js'

/**
 * A guard class enforcing the per-tool scopes of an MCP server before the MCP SDK runs: a
 * JSON-RPC `tools/call` of a listed tool whose scopes `request.auth` lacks is answered 403
 * `insufficient_scope` (`scope="<the tool's scopes>"`; without a token 401 naming them), so a
 * client can step up. `Mcp-Method` / `Mcp-Name` headers (MCP 2026-07-28) that disagree with the
 * body are answered 400 with a JSON-RPC `HeaderMismatch` (-32020) error body. Use it after
 * `BearerAuthGuard` (which sets `request.auth`; a global guard runs first), on the MCP
 * handler; it reads the body Nest's platform parsed (on by default). Before `BearerAuthGuard`,
 * a request with credentials fails with a `RouteOrderError` (500), not a 401. Scope names are
 * validated when this is called.
 *
 * @example
 * ```ts
 * @UseGuards(ToolScopesGuard({ write_note: ['notes:write'] }))
 * @Post('mcp') handle(@Req() req, @Res() res) { ... }
 * ```
 */
export function ToolScopesGuard(
  scopes: Readonly<Record<string, string | readonly string[]>>,
): Type<CanActivate> {
  const check = toolScopeCheck(scopes)
  class KeywardToolScopesGuard implements CanActivate {
    constructor(@Inject(KEYWARD_VERIFIER) private readonly verifier: Verifier) {}

    canActivate(context: ExecutionContext): boolean {
      if (context.getType<string>() !== 'http') return true
      const http = context.switchToHttp()
      const request = http.getRequest<KeywardRequest>()
      try {
        // Guards run global, then controller, then method, each list in order: this one
        // before BearerAuthGuard is a set-up error, not the client's.
        checkRouteOrder(
          request,
          request.auth,
          challenges.get(request),
          'ToolScopesGuard',
          'BearerAuthGuard',
        )
        check(
          { method: request.method ?? '', headers: request.headers, body: request.body },
          request.auth,
          this.verifier.challenge,
        )
      } catch (error) {
        throw guardFailure(error, http.getResponse<KeywardResponse>())
      }
      return true
    }
  }
  return mixin(KeywardToolScopesGuard)
}
