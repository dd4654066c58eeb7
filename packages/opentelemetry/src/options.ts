import type { Meter } from '@opentelemetry/api'

/** Options of {@link keywardMetrics}. */
export interface KeywardMetricsOptions {
  /**
   * The OpenTelemetry meter the instruments are created on, for example
   * `metrics.getMeter('@keyward/opentelemetry')` from `@opentelemetry/api`.
   */
  readonly meter: Meter
  /**
   * Issuers reported in the `keyward.issuer` attribute, exactly as configured. An event of any
   * other issuer (a tenant's, or the unverified `iss` of a rejected token, which anyone can
   * choose) is counted without the attribute, so no caller can create series.
   * @defaultValue the configured issuers of the verifiers passed to `observe()`
   */
  readonly issuers?: readonly string[]
  /**
   * The clock of the age gauges, in epoch milliseconds: give the verifier's own `now` when it
   * has one. For tests and special runtimes.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number
}

/** {@link KeywardMetricsOptions}, validated. */
export interface ResolvedMetricsOptions {
  readonly meter: Meter
  readonly issuers: ReadonlySet<string> | undefined
  readonly now: () => number
}

const KNOWN: ReadonlySet<string> = new Set(['meter', 'issuers', 'now'])
const METER_METHODS = [
  'createCounter',
  'createHistogram',
  'createObservableGauge',
  'addBatchObservableCallback',
  'removeBatchObservableCallback',
] as const

/** Validates the options once, at construction: a mistake is a `TypeError` naming the option. */
export function resolveMetricsOptions(input: unknown): ResolvedMetricsOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('keywardMetrics() takes an options object with a "meter"')
  }
  const options = input as Record<string, unknown>
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`"${key}" is not an option of keywardMetrics()`)
  }
  return {
    meter: readMeter(options.meter),
    issuers: readIssuers(options.issuers),
    now: readNow(options.now),
  }
}

function readMeter(value: unknown): Meter {
  const meter = value as Record<string, unknown> | null | undefined
  if (typeof meter !== 'object' || meter === null) {
    throw new TypeError('"meter" is required: an OpenTelemetry Meter (metrics.getMeter(name))')
  }
  for (const method of METER_METHODS) {
    if (typeof meter[method] !== 'function') {
      throw new TypeError(`"meter" is not an OpenTelemetry Meter: it has no ${method}()`)
    }
  }
  return value as Meter
}

function readIssuers(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) throw new TypeError('"issuers" must be an array of issuer strings')
  for (const issuer of value as unknown[]) {
    if (typeof issuer !== 'string' || issuer === '') {
      throw new TypeError('"issuers" must contain only non-empty issuer strings')
    }
  }
  return new Set(value as string[])
}

function readNow(value: unknown): () => number {
  if (value === undefined) return Date.now
  if (typeof value !== 'function') throw new TypeError('"now" must be a function')
  return value as () => number
}
