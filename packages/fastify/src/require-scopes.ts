import { scopeCheck, type ScopeCheck } from '@keyward/core'
import { challenges, type KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

/**
 * A route hook requiring every one of `scopes` on `request.auth` (set by `bearerAuth` in an
 * earlier hook); otherwise `insufficient_scope` (403, `scope="<all required>"`). Scope names
 * are validated now, at start-up.
 *
 * @example
 * ```ts
 * api.post('/things', { onRequest: requireScopes('write:things') }, createThing)
 * ```
 */
export function requireScopes(...scopes: string[]): KeywardHook {
  return scopeHook(scopeCheck(scopes, 'all'))
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
  return scopeHook(scopeCheck(scopes, 'any'))
}

function scopeHook(check: ScopeCheck): KeywardHook {
  return (request, reply, done) => {
    try {
      check(request.auth, challenges.get(request))
    } catch (error) {
      fail(error, request, reply, done)
      return
    }
    done()
  }
}
