import {
  claimCheck as coreClaimCheck,
  claimEquals as coreClaimEquals,
  claimIncludes as coreClaimIncludes,
  type ClaimCheckOptions,
  type ClaimPredicate,
  type ClaimValue,
} from '@keyward/core'
import type { KeywardHook } from './bearer-auth.js'
import { routeCheckHook } from './route-check.js'

/**
 * A route hook requiring the claim `name` of `request.auth` to be exactly `value`; otherwise
 * `invalid_claim` (401, a fixed description that never names the claim or its value).
 * Validated now, at start-up.
 *
 * @example
 * ```ts
 * api.get('/billing', { onRequest: claimEquals('org_id', 'acme') }, showBilling)
 * ```
 */
export function claimEquals(name: string, value: ClaimValue): KeywardHook {
  return routeCheckHook(coreClaimEquals(name, value), 'claimEquals')
}

/**
 * A route hook requiring the claim `name` to include every one of `values` (an array, or a
 * space-separated string); otherwise `invalid_claim` (401).
 *
 * @example
 * ```ts
 * api.delete('/posts/:id', { onRequest: claimIncludes('roles', 'editor') }, deletePost)
 * ```
 */
export function claimIncludes(name: string, ...values: ClaimValue[]): KeywardHook {
  return routeCheckHook(coreClaimIncludes(name, ...values), 'claimIncludes')
}

/**
 * A route hook requiring `predicate(claims, token)` to answer `true` (or a promise of it);
 * `false`, a throw, a non-boolean and no answer within `timeoutMs` are `invalid_claim` (401).
 *
 * @example
 * ```ts
 * api.get('/admin', { onRequest: claimCheck((claims) => claims.acr === 'mfa') }, admin)
 * ```
 */
export function claimCheck(predicate: ClaimPredicate, options?: ClaimCheckOptions): KeywardHook {
  return routeCheckHook(coreClaimCheck(predicate, options), 'claimCheck')
}
