import { serviceAccountCheck, spiffeIdCheck, type WorkloadCheck } from '@keyward/core'
import { challenges, type KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

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
  return workloadHook(spiffeIdCheck(patterns))
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
  return workloadHook(serviceAccountCheck(patterns))
}

function workloadHook(check: WorkloadCheck): KeywardHook {
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
