import { scopeCheck, type ScopeCheck } from '@keyward/core'
import type { RequestHandler } from 'express'
import { challenges } from './bearer-auth.js'

/**
 * Requires every one of `scopes` on `req.auth` (set by `bearerAuth` earlier in the chain);
 * otherwise `next(err)` with `insufficient_scope` (403, `scope="<all required>"`). Scope names
 * are validated now, at start-up.
 *
 * @example
 * ```ts
 * app.post('/things', requireScopes('write:things'), createThing)
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  return scopeMiddleware(scopeCheck(scopes, 'all'))
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
  return scopeMiddleware(scopeCheck(scopes, 'any'))
}

function scopeMiddleware(check: ScopeCheck): RequestHandler {
  return (req, _res, next) => {
    try {
      check(req.auth, challenges.get(req))
    } catch (error) {
      next(error)
      return
    }
    next()
  }
}
