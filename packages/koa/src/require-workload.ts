import { serviceAccountCheck, spiffeIdCheck } from '@keyward/core'
import type { Middleware } from 'koa'
import type { KeywardState } from './bearer-auth.js'
import { routeCheckMiddleware } from './route-check.js'

/**
 * Allows only JWT-SVIDs of these SPIFFE IDs on `ctx.state.auth`: an exact ID, or an ID
 * followed by `/*` for every ID below it; otherwise throws `workload_not_allowed` (403).
 * Patterns are validated now, at start-up.
 *
 * @example
 * ```ts
 * router.post('/charges', requireSpiffeId('spiffe://example.org/ns/shop/*'), createCharge)
 * ```
 */
export function requireSpiffeId(...patterns: string[]): Middleware<KeywardState> {
  return routeCheckMiddleware(spiffeIdCheck(patterns), 'requireSpiffeId')
}

/**
 * Allows only Kubernetes service-account tokens of these service accounts (`namespace/name`,
 * or `namespace/*`); otherwise throws `workload_not_allowed` (403).
 *
 * @example
 * ```ts
 * router.post('/deploy', requireServiceAccount('ops/deployer'), deploy)
 * ```
 */
export function requireServiceAccount(...patterns: string[]): Middleware<KeywardState> {
  return routeCheckMiddleware(serviceAccountCheck(patterns), 'requireServiceAccount')
}
