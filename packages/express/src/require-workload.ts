import { serviceAccountCheck, spiffeIdCheck } from '@keyward/core'
import type { RequestHandler } from 'express'
import { routeCheckMiddleware } from './route-check.js'

/**
 * Allows only JWT-SVIDs of these SPIFFE IDs on `req.auth`: an exact ID, or an ID followed by
 * `/*` for every ID below it; otherwise `next(err)` with `workload_not_allowed` (403).
 * Patterns are validated now, at start-up.
 *
 * @example
 * ```ts
 * app.post('/charges', requireSpiffeId('spiffe://example.org/ns/shop/*'), createCharge)
 * ```
 */
export function requireSpiffeId(...patterns: string[]): RequestHandler {
  return routeCheckMiddleware(spiffeIdCheck(patterns), 'requireSpiffeId')
}

/**
 * Allows only Kubernetes service-account tokens of these service accounts (`namespace/name`,
 * or `namespace/*`); otherwise `next(err)` with `workload_not_allowed` (403).
 *
 * @example
 * ```ts
 * app.post('/deploy', requireServiceAccount('ops/deployer'), deploy)
 * ```
 */
export function requireServiceAccount(...patterns: string[]): RequestHandler {
  return routeCheckMiddleware(serviceAccountCheck(patterns), 'requireServiceAccount')
}
