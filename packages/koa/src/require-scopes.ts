import {
  checkRouteOrder,
  checkScopeChain,
  scopeCheck,
  scopeMiddleware,
  type ScopeCheck,
} from '@keyward/core'
import type { Middleware } from 'koa'
import { challenges, type KeywardState } from './bearer-auth.js'

/**
 * Requires every one of `scopes` on `ctx.state.auth` (set by `bearerAuth` earlier in the chain);
 * otherwise throws `insufficient_scope` (403, `scope="<all required>"`), or, without a token
 * (optional authentication), 401 naming these scopes. Under `@koa/router`, the scope checks of
 * the matched layers are checked together at the first, so one challenge names every scope the
 * route needs. Scope names are validated now, at start-up.
 *
 * @example
 * ```ts
 * router.post('/things', requireScopes('write:things'), createThing)
 * ```
 */
export function requireScopes(...scopes: string[]): Middleware<KeywardState> {
  return scopeHandler(scopeCheck(scopes, 'all'), 'requireScopes')
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
  return scopeHandler(scopeCheck(scopes, 'any'), 'requireAnyScope')
}

/** A layer `@koa/router` matched: `ctx.matched` lists them, router-level ones included. */
interface RouterLayer {
  readonly methods?: readonly string[]
  readonly stack?: readonly unknown[]
}

function scopeHandler(check: ScopeCheck, name: string): Middleware<KeywardState> {
  return scopeMiddleware<Middleware<KeywardState>>(async (ctx, next) => {
    // `ctx.matched` holds the layers for the path, any method: only this method's count.
    const matched = (ctx as { matched?: readonly RouterLayer[] }).matched
    const chain = matched
      ?.filter(({ methods = [] }) => methods.length === 0 || methods.includes(ctx.method))
      .flatMap((layer) => layer.stack ?? [])
    const challenge = challenges.get(ctx)
    checkRouteOrder(ctx, ctx.state.auth, challenge, name, 'bearerAuth')
    checkScopeChain(ctx, check, chain, ctx.state.auth, challenge)
    await next()
  }, check)
}
