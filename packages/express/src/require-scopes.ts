import {
  checkRouteOrder,
  checkScopeChain,
  scopeCheck,
  scopeMiddleware,
  type ScopeCheck,
} from '@keyward/core'
import type { RequestHandler } from 'express'
import { challenges } from './bearer-auth.js'

/**
 * Requires every one of `scopes` on `req.auth` (set by `bearerAuth` earlier in the chain);
 * otherwise `next(err)` with `insufficient_scope` (403, `scope="<all required>"`), or, without a
 * token (optional authentication), 401 naming these scopes. The scope checks of one route are
 * checked together at the first, so one challenge names every scope the route needs. Scope
 * names are validated now, at start-up.
 *
 * @example
 * ```ts
 * app.post('/things', requireScopes('write:things'), createThing)
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  return scopeHandler(scopeCheck(scopes, 'all'), 'requireScopes')
}

/**
 * Requires at least one of `scopes` on `req.auth`; otherwise `next(err)` with
 * `insufficient_scope` (403) naming all of them.
 *
 * @example
 * ```ts
 * app.delete('/things/:id', requireAnyScope('admin', 'delete:things'), deleteThing)
 * ```
 */
export function requireAnyScope(...scopes: string[]): RequestHandler {
  return scopeHandler(scopeCheck(scopes, 'any'), 'requireAnyScope')
}

/** A layer of an Express route: `req.route.stack` holds one per handler and method. */
interface RouteLayer {
  readonly handle?: unknown
  readonly method?: string
}

function scopeHandler(check: ScopeCheck, name: string): RequestHandler {
  return scopeMiddleware<RequestHandler>((req, _res, next) => {
    // Express 4 and 5 set `req.route` to the matched route: its stack is this chain's handlers.
    const stack = (req.route as { stack?: readonly RouteLayer[] } | undefined)?.stack
    // `app.route(path).get(...).post(...)`: only this method's handlers count.
    const method = req.method.toLowerCase()
    const chain = stack?.filter((l) => l.method === undefined || l.method === method)
    try {
      const challenge = challenges.get(req)
      checkRouteOrder(req, req.auth, challenge, name, 'bearerAuth')
      checkScopeChain(
        req,
        check,
        chain?.map((l) => l.handle),
        req.auth,
        challenge,
      )
    } catch (error) {
      next(error)
      return
    }
    next()
  }, check)
}
