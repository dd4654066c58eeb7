import type { Verifier } from '@keyward/core'
import type { FetchCounts, KeyFetchLog } from './fetch-log.js'

export interface HealthBody {
  readonly service: string
  /** `ok`: fresh keys. `stale`: serving last-known-good keys while refreshes fail. */
  readonly status: 'ok' | 'stale' | 'unavailable'
  readonly issuers: ReturnType<Verifier['health']>['issuers']
  readonly jwksFetches: FetchCounts
}

/**
 * The readiness answer of a demo API, from `verifier.health()`: 200 while the verifier has usable
 * keys (fresh or last-known-good), 503 when it has none, so a load balancer only routes to an
 * instance that can verify tokens.
 *
 * @example
 * ```ts
 * const { status, body } = healthReport('express-api', verifier, fetchLog)
 * res.status(status).json(body)
 * ```
 */
export function healthReport(
  service: string,
  verifier: Pick<Verifier, 'health'>,
  fetchLog: KeyFetchLog,
): { status: 200 | 503; body: HealthBody } {
  const { ready, issuers } = verifier.health()
  const status = !ready ? 'unavailable' : issuers.every((i) => i.state === 'fresh') ? 'ok' : 'stale'
  return {
    status: ready ? 200 : 503,
    body: { service, status, issuers, jwksFetches: fetchLog.counts() },
  }
}
