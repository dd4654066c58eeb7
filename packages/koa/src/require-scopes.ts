import { scopeCheck, type ScopeCheck } from '@keyward/core'
import type { Middleware } from 'koa'
import { challenges, type KeywardState } from './bearer-auth.js'

/**
 * Requires every one of `scopes` on `ctx.state.auth` (set by `bearerAuth` earlier in the chain);
 * otherwise throws `insufficient_scope` (403, `scope="<all required>"`). Scope names are
 * validated now, at start-up.
 *
 * @example
 * ```ts
 * router.post('/things', requireScopes('write:things'), createThing)
 * ```
 */
export function requireScopes(...scopes: string[]): Middleware<KeywardState> {
  return scopeMiddleware(scopeCheck(scopes, 'all'))
}

/**
 * Requires at least one of `scopes` on `ctx.state.auth`; otherwise throws `insufficient_scope`
 * (403) naming all of them.
 *
 * @example
 * ```ts
 * router.delete('/things/:id', requireAnyScope('admin', 'delete:things'), deleteThing)
 * ```
 */
export function requireAnyScope(...scopes: string[]): Middleware<KeywardState> {
  return scopeMiddleware(scopeCheck(scopes, 'any'))
}

function scopeMiddleware(check: ScopeCheck): Middleware<KeywardState> {
  return async (ctx, next) => {
    check(ctx.state.auth, challenges.get(ctx))
    await next()
  }
}
