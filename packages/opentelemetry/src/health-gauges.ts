import type { KeySourceHealth, Verifier } from '@keyward/core'
import type {
  Attributes,
  BatchObservableResult,
  Meter,
  Observable,
  ObservableGauge,
} from '@opentelemetry/api'
import { ISSUER, type IssuerAttribute } from './issuer-attribute.js'

const STATES = ['fresh', 'stale', 'unavailable'] as const

/** How the issuers sharing one set of attributes combine: counts add up, ages take the oldest. */
type Combine = 'sum' | 'max'

interface GaugeSpec {
  readonly name: string
  readonly description: string
  readonly unit: string
  readonly combine: Combine
  /** `undefined`: nothing to report for this issuer (no fetch yet, no key). */
  readonly read: (health: KeySourceHealth, now: number) => number | undefined
}

const GAUGES: readonly GaugeSpec[] = [
  {
    name: 'keyward.jwks.keys',
    description: 'Keys that verify tokens now (after the key policy and revocations).',
    unit: '{key}',
    combine: 'sum',
    read: (health) => health.keys.length,
  },
  {
    name: 'keyward.jwks.dropped_keys',
    description: 'Keys the last fetched JWKS published that do not verify.',
    unit: '{key}',
    combine: 'sum',
    read: (health) => health.droppedKeyCount,
  },
  {
    name: 'keyward.jwks.revoked_keys',
    description: 'Revocations in force (revokeKey).',
    unit: '{key}',
    combine: 'sum',
    read: (health) => health.revokedKeys.length,
  },
  {
    name: 'keyward.jwks.rotation_overdue_keys',
    description: 'Trusted keys older than jwks.maxKeyAgeMs.',
    unit: '{key}',
    combine: 'sum',
    read: (health) => health.hygiene.rotationOverdue.length,
  },
  {
    name: 'keyward.jwks.consecutive_failures',
    description: 'Failed JWKS fetches since the last success.',
    unit: '{fetch}',
    combine: 'sum',
    read: (health) => health.consecutiveFailures,
  },
  {
    name: 'keyward.jwks.age',
    description: 'Time since the last successful JWKS fetch (200 or 304).',
    unit: 's',
    combine: 'max',
    read: (health, now) =>
      health.fetchedAt === undefined ? undefined : Math.max(0, now - health.fetchedAt) / 1000,
  },
  {
    name: 'keyward.jwks.staleness',
    description: 'How long keys have been served past their freshness (0 when fresh).',
    unit: 's',
    combine: 'max',
    read: (health) => health.staleForMs / 1000,
  },
  {
    name: 'keyward.jwks.oldest_key.age',
    description: 'Time since the oldest trusted key was first fetched.',
    unit: 's',
    combine: 'max',
    read: (health, now) => {
      if (health.keys.length === 0) return undefined
      const first = Math.min(...health.keys.map((key) => key.firstSeenAt))
      return Math.max(0, now - first) / 1000
    },
  },
]

/**
 * Observable gauges sampled from `verifier.health()` at each collection: one `health()` call per
 * observed verifier and collection, nothing between collections.
 */
export class HealthGauges {
  readonly #meter: Meter
  readonly #issuers: IssuerAttribute
  readonly #now: () => number
  readonly #verifiers = new Set<Verifier>()
  readonly #gauges: readonly (readonly [GaugeSpec, ObservableGauge])[]
  readonly #state: ObservableGauge
  readonly #callback = (result: BatchObservableResult): void => {
    this.#collect(result)
  }
  #registered = false

  constructor(meter: Meter, issuers: IssuerAttribute, now: () => number) {
    this.#meter = meter
    this.#issuers = issuers
    this.#now = now
    this.#gauges = GAUGES.map((spec) => [
      spec,
      meter.createObservableGauge(spec.name, { description: spec.description, unit: spec.unit }),
    ])
    this.#state = meter.createObservableGauge('keyward.jwks.state', {
      description: 'Issuers whose keys are in each state (fresh, stale, unavailable).',
      unit: '{issuer}',
    })
  }

  add(verifier: Verifier): void {
    this.#verifiers.add(verifier)
    if (this.#registered) return
    this.#meter.addBatchObservableCallback(this.#callback, this.#observables())
    this.#registered = true
  }

  delete(verifier: Verifier): void {
    this.#verifiers.delete(verifier)
    if (this.#verifiers.size > 0 || !this.#registered) return
    this.#meter.removeBatchObservableCallback(this.#callback, this.#observables())
    this.#registered = false
  }

  #observables(): Observable[] {
    return [...this.#gauges.map(([, gauge]) => gauge), this.#state]
  }

  #collect(result: BatchObservableResult): void {
    const now = this.#now()
    const healths = [...this.#verifiers].flatMap((verifier) => verifier.health().issuers)
    for (const [spec, gauge] of this.#gauges) {
      const values = new Aggregate(spec.combine)
      for (const health of healths) {
        values.add(this.#issuers.of(health.issuer), spec.read(health, now))
      }
      values.observe(result, gauge)
    }
    const states = new Aggregate('sum')
    for (const health of healths) {
      const issuer = this.#issuers.of(health.issuer)
      for (const state of STATES) {
        states.add({ ...issuer, 'keyward.state': state }, health.state === state ? 1 : 0)
      }
    }
    states.observe(result, this.#state)
  }
}

/** Values by attribute set: one observation per set, as the metrics data model requires. */
class Aggregate {
  readonly #combine: Combine
  readonly #entries = new Map<string, { attributes: Attributes; value: number }>()

  constructor(combine: Combine) {
    this.#combine = combine
  }

  add(attributes: Attributes, value: number | undefined): void {
    if (value === undefined) return
    const key = `${String(attributes[ISSUER] ?? '')}\n${String(attributes['keyward.state'] ?? '')}`
    const found = this.#entries.get(key)
    if (found === undefined) this.#entries.set(key, { attributes, value })
    else found.value = this.#combine === 'sum' ? found.value + value : Math.max(found.value, value)
  }

  observe(result: BatchObservableResult, gauge: ObservableGauge): void {
    for (const { attributes, value } of this.#entries.values()) {
      result.observe(gauge, value, attributes)
    }
  }
}
