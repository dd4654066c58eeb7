import {
  claimCheck as coreClaimCheck,
  claimEquals as coreClaimEquals,
  claimIncludes as coreClaimIncludes,
  type ClaimCheckOptions,
  type ClaimPredicate,
  type ClaimValue,
} from '@keyward/core'
import type { RequestHandler } from 'express'
import { routeCheckMiddleware } from './route-check.js'

/**
 * Requires the claim `name` of `req.auth` to be exactly `value`; otherwise `next(err)` with
 * `invalid_claim` (401, a fixed description that never names the claim or its value).
 * Validated now, at start-up.
 *
 * @example
 * ```ts
 * app.get('/billing', claimEquals('org_id', 'acme'), showBilling)
 * ```
 */
export function claimEquals(name: string, value: ClaimValue): RequestHandler {
  return routeCheckMiddleware(coreClaimEquals(name, value), 'claimEquals')
}

/**
 * Requires the claim `name` of `req.auth` to include every one of `values` (an array, or a
 * space-separated string); otherwise `invalid_claim` (401).
 *
 * @example
 * ```ts
 * app.delete('/posts/:id', claimIncludes('roles', 'editor'), deletePost)
 * ```
 */
export function claimIncludes(name: string, ...values: ClaimValue[]): RequestHandler {
  return routeCheckMiddleware(coreClaimIncludes(name, ...values), 'claimIncludes')
}

/**
 * Requires `predicate(claims, token)` to answer `true` (or a promise of it); `false`, a throw,
 * a non-boolean and no answer within `timeoutMs` are `invalid_claim` (401).
 *
 * @example
 * ```ts
 * app.get('/admin', claimCheck((claims) => claims.acr === 'mfa'), admin)
 * ```
 */
export function claimCheck(predicate: ClaimPredicate, options?: ClaimCheckOptions): RequestHandler {
  return routeCheckMiddleware(coreClaimCheck(predicate, options), 'claimCheck')
}
