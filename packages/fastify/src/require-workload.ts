import { serviceAccountCheck, spiffeIdCheck } from '@keyward/core'
import type { KeywardHook } from './bearer-auth.js'
import { routeCheckHook } from './route-check.js'

/**
 * A route hook allowing only JWT-SVIDs of these SPIFFE IDs on `request.auth`: an exact ID, or
 * an ID followed by `/*` for every ID below it; otherwise `workload_not_allowed` (403).
 * Patterns are validated now, at start-up.
 *
 * @example
 * ```ts
 * api.post('/charges', { onRequest: requireSpiffeId('spiffe://example.org/ns/shop/*') }, charge)
 * ```
 */
export function requireSpiffeId(...patterns: string[]): KeywardHook {
  return routeCheckHook(spiffeIdCheck(patterns), 'requireSpiffeId')
}

/**
 * A route hook allowing only Kubernetes service-account tokens of these service accounts
 * (`namespace/name`, or `namespace/*`); otherwise `workload_not_allowed` (403).
 *
 * @example
 * ```ts
 * api.post('/deploy', { onRequest: requireServiceAccount('ops/deployer') }, deploy)
 * ```
 */
export function requireServiceAccount(...patterns: string[]): KeywardHook {
  return routeCheckHook(serviceAccountCheck(patterns), 'requireServiceAccount')
}
