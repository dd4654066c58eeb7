import {
  checkRouteOrder,
  checkScopeChain,
  scopeCheck,
  scopeMiddleware,
  type ScopeCheck,
} from '@keyward/core'
import { AUTHENTICATION, challenges, ROUTE_HOOKS, type KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

/**
 * A route hook requiring every one of `scopes` on `request.auth` (set by `bearerAuth` in an
 * earlier hook); otherwise `insufficient_scope` (403, `scope="<all required>"`), or, without a
 * token (optional authentication), 401 naming these scopes. On routes registered where the
 * `bearerAuth` plugin is, the route's scope hooks are checked together at the first, so one
 * challenge names every scope the route needs. Scope names are validated now, at start-up.
 *
 * @example
 * ```ts
 * api.post('/things', { onRequest: requireScopes('write:things') }, createThing)
 * ```
 */
export function requireScopes(...scopes: string[]): KeywardHook {
  return scopeHook(scopeCheck(scopes, 'all'), 'requireScopes')
}

/**
 * A route hook requiring at least one of `scopes` on `request.auth`; otherwise
 * `insufficient_scope` (403) naming all of them.
 *
 * @example
 * ```ts
 * api.delete('/things/:id', { onRequest: requireAnyScope('admin', 'delete:things') }, deleteThing)
 * ```
 */
export function requireAnyScope(...scopes: string[]): KeywardHook {
  return scopeHook(scopeCheck(scopes, 'any'), 'requireAnyScope')
}

function scopeHook(check: ScopeCheck, name: string): KeywardHook {
  return scopeMiddleware<KeywardHook>((request, reply, done) => {
    // The route's hooks, when the bearerAuth plugin saw the route registered (see ROUTE_HOOKS).
    const config = request.routeOptions.config as { [ROUTE_HOOKS]?: readonly unknown[] }
    try {
      const challenge = challenges.get(request)
      checkRouteOrder(request, request.auth, challenge, name, AUTHENTICATION)
      checkScopeChain(request, check, config[ROUTE_HOOKS], request.auth, challenge)
    } catch (error) {
      fail(error, request, reply, done)
      return
    }
    done()
  }, check)
}
