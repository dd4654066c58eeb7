import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { readFile } from 'node:fs/promises'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { EVENT_CHANNELS, type KeywardEvent, type Verifier } from '../src/index.js'
import { outcome, startHarness, type Harness } from './support/jwks-harness.js'

// The recipe below is copied verbatim into docs/prometheus.md; a test keeps the two equal.
// recipe:start
/**
 * Prometheus metrics from keyward events. Feed `onEvent` every event (as the verifier's
 * `onEvent` option, or from the `keyward:*` diagnostics channels) and `watch` each verifier
 * whose key staleness should be sampled at scrape time.
 */
export function keywardMetrics(registry: Registry): {
  onEvent: (event: KeywardEvent) => void
  watch: (verifier: Verifier) => void
} {
  const registers = [registry]
  const verifiers = new Set<Verifier>()
  const fetches = new Counter({
    name: 'keyward_jwks_fetches_total',
    help: 'JWKS fetches by outcome (success, not_modified, failure) and failure reason.',
    labelNames: ['issuer', 'outcome', 'reason'] as const,
    registers,
  })
  const keyChanges = new Counter({
    name: 'keyward_jwks_key_changes_total',
    help: 'Signing keys added to or removed from an issuer JWKS.',
    labelNames: ['issuer', 'change'] as const,
    registers,
  })
  const keysDropped = new Counter({
    name: 'keyward_jwks_keys_dropped_total',
    help: 'JWKS entries refused as unusable, by reason.',
    labelNames: ['issuer', 'reason'] as const,
    registers,
  })
  const keys = new Gauge({
    name: 'keyward_jwks_keys',
    help: 'Usable signing keys after the last successful fetch.',
    labelNames: ['issuer'] as const,
    registers,
  })
  const failures = new Gauge({
    name: 'keyward_jwks_consecutive_failures',
    help: 'Failed JWKS refreshes since the last success.',
    labelNames: ['issuer'] as const,
    registers,
  })
  const stale = new Gauge({
    name: 'keyward_jwks_stale',
    help: '1 while last-known-good keys are served past their freshness.',
    labelNames: ['issuer'] as const,
    registers,
  })
  const stalePeriods = new Counter({
    name: 'keyward_jwks_stale_periods_total',
    help: 'Stale periods that ended: recovered (a fetch succeeded) or expired (maxStaleMs).',
    labelNames: ['issuer', 'outcome'] as const,
    registers,
  })
  new Gauge({
    name: 'keyward_jwks_staleness_seconds',
    help: 'How long keys have been served past their freshness (0 when fresh).',
    labelNames: ['issuer'] as const,
    registers,
    collect() {
      for (const verifier of verifiers) {
        for (const health of verifier.health().issuers) {
          this.set({ issuer: health.issuer }, health.staleForMs / 1000)
        }
      }
    },
  })
  // Label by error code only: the issuer, kid and client_id of a rejected token are
  // unverified input, and as labels they would let anyone create unbounded series.
  const rejected = new Counter({
    name: 'keyward_tokens_rejected_total',
    help: 'Rejected tokens by error code.',
    labelNames: ['code'] as const,
    registers,
  })
  const verified = new Counter({
    name: 'keyward_tokens_verified_total',
    help: 'Accepted tokens; cached="true" when the verified-token cache answered.',
    labelNames: ['cached'] as const,
    registers,
  })
  const latency = new Histogram({
    name: 'keyward_verification_duration_seconds',
    help: 'Time from verify/authenticate to its answer, by outcome (accepted, rejected).',
    labelNames: ['outcome'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5],
    registers,
  })

  const onEvent = (event: KeywardEvent): void => {
    switch (event.type) {
      case 'jwks_fetch_success':
        fetches.inc({
          issuer: event.issuer,
          outcome: event.notModified ? 'not_modified' : 'success',
        })
        keys.set({ issuer: event.issuer }, event.keyIds.length)
        failures.set({ issuer: event.issuer }, 0)
        break
      case 'jwks_fetch_failure':
        fetches.inc({ issuer: event.issuer, outcome: 'failure', reason: event.reason })
        failures.set({ issuer: event.issuer }, event.consecutiveFailures)
        break
      case 'jwks_keys_rotated':
        keyChanges.inc({ issuer: event.issuer, change: 'added' }, event.added.length)
        keyChanges.inc({ issuer: event.issuer, change: 'removed' }, event.removed.length)
        break
      case 'jwks_key_dropped':
        keysDropped.inc({ issuer: event.issuer, reason: event.reason })
        break
      case 'jwks_key_drop_summary':
        for (const [reason, count] of Object.entries(event.reasons)) {
          keysDropped.inc({ issuer: event.issuer, reason }, count)
        }
        break
      case 'jwks_stale_begin':
        stale.set({ issuer: event.issuer }, 1)
        break
      case 'jwks_stale_end':
        stale.set({ issuer: event.issuer }, 0)
        stalePeriods.inc({ issuer: event.issuer, outcome: event.outcome })
        break
      case 'token_verified':
        verified.inc({ cached: String(event.cached) })
        latency.observe({ outcome: 'accepted' }, event.durationMs / 1000)
        break
      case 'token_rejected':
        rejected.inc({ code: event.code })
        latency.observe({ outcome: 'rejected' }, event.durationMs / 1000)
        break
      case 'jwks_fetch_start':
        break
    }
  }
  return {
    onEvent,
    watch: (verifier) => {
      verifiers.add(verifier)
    },
  }
}
// recipe:end

const LIFETIME_MS = 600_000
let harness: Harness | undefined
const subscriptions: [string, (message: unknown) => void][] = []

afterEach(async () => {
  for (const [name, handler] of subscriptions.splice(0)) unsubscribe(name, handler)
  await harness?.close()
  harness = undefined
})

/** The value of one sample line, e.g. `metric{issuer="…",outcome="success"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('Prometheus recipe', () => {
  it('turns a rotation and an outage into counters and gauges', async () => {
    const registry = new Registry()
    const metrics = keywardMetrics(registry)
    // Through diagnostics channels: no change to how the verifier is created.
    for (const name of Object.values(EVENT_CHANNELS)) {
      const handler = (message: unknown) => {
        metrics.onEvent(message as KeywardEvent)
      }
      subscribe(name, handler)
      subscriptions.push([name, handler])
    }
    harness = await startHarness()
    metrics.watch(harness.verifier)
    const { clock, server, issuer, verifier } = harness
    const iss = `issuer="${issuer.issuer}"`

    // Rotation: warm-up, then a new kid, then the old key retired.
    await verifier.warmup()
    const old = issuer.signingKey
    await issuer.rotate()
    expect(await outcome(verifier, harness.token())).toBe('ok')
    issuer.unpublish(old)
    clock.advance(0.85 * LIFETIME_MS)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    let text = await registry.metrics()
    expect(sample(text, `keyward_jwks_fetches_total{${iss},outcome="success"}`)).toBe(3)
    expect(sample(text, `keyward_jwks_key_changes_total{${iss},change="added"}`)).toBe(1)
    expect(sample(text, `keyward_jwks_key_changes_total{${iss},change="removed"}`)).toBe(1)
    expect(sample(text, `keyward_jwks_keys{${iss}}`)).toBe(1)
    expect(sample(text, `keyward_jwks_stale{${iss}}`)).toBeUndefined()

    // Outage: the refresh fails, keys go stale and are served as last-known-good.
    server.setFault({ kind: 'status', status: 503 })
    clock.advance(LIFETIME_MS + 30_000)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    clock.advance(750)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    expect(await outcome(verifier, issuer.mint({ aud: 'https://other.api' }))).toBe(
      'invalid_audience',
    )
    text = await registry.metrics()
    expect(
      sample(text, `keyward_jwks_fetches_total{${iss},outcome="failure",reason="http_status"}`),
    ).toBe(2)
    expect(sample(text, `keyward_jwks_consecutive_failures{${iss}}`)).toBe(2)
    expect(sample(text, `keyward_jwks_stale{${iss}}`)).toBe(1)
    expect(sample(text, `keyward_jwks_staleness_seconds{${iss}}`)).toBe(30.75)
    expect(text).toContain('# HELP keyward_jwks_stale 1 while last-known-good keys')
    expect(text).toContain('# TYPE keyward_jwks_fetches_total counter')

    // Recovery.
    server.setFault(null)
    clock.advance(1500)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    text = await registry.metrics()
    expect(sample(text, `keyward_jwks_stale{${iss}}`)).toBe(0)
    expect(sample(text, `keyward_jwks_stale_periods_total{${iss},outcome="recovered"}`)).toBe(1)
    expect(sample(text, `keyward_jwks_consecutive_failures{${iss}}`)).toBe(0)
    expect(sample(text, `keyward_jwks_staleness_seconds{${iss}}`)).toBe(0)
    expect(sample(text, `keyward_jwks_fetches_total{${iss},outcome="success"}`)).toBe(4)
    expect(sample(text, 'keyward_tokens_rejected_total{code="invalid_audience"}')).toBe(1)
    expect(sample(text, 'keyward_tokens_verified_total{cached="false"}')).toBe(5)
    expect(sample(text, 'keyward_verification_duration_seconds_count{outcome="accepted"}')).toBe(5)
    expect(sample(text, 'keyward_verification_duration_seconds_count{outcome="rejected"}')).toBe(1)
  })

  it('counts revalidations and dropped keys', async () => {
    const registry = new Registry()
    const metrics = keywardMetrics(registry)
    harness = await startHarness()
    const { server, clock, verifier, issuer } = harness
    const iss = `issuer="${issuer.issuer}"`
    harness.events.length = 0
    server.setValidators({ etag: true })
    await verifier.warmup()
    clock.advance(0.85 * LIFETIME_MS)
    await outcome(verifier, harness.token())
    await harness.settle()
    // 31 dropped keys: 20 events of their own and a summary counting the other 11.
    const junk = new Array<number>(30).fill(0)
    server.setFault({ kind: 'keys', keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }, ...junk] })
    clock.advance(0.85 * LIFETIME_MS)
    await outcome(verifier, harness.token())
    await harness.settle()
    for (const event of harness.events) metrics.onEvent(event)
    const text = await registry.metrics()
    expect(sample(text, `keyward_jwks_fetches_total{${iss},outcome="not_modified"}`)).toBe(1)
    expect(sample(text, `keyward_jwks_keys_dropped_total{${iss},reason="symmetric_key"}`)).toBe(1)
    expect(sample(text, `keyward_jwks_keys_dropped_total{${iss},reason="not_an_object"}`)).toBe(30)
    expect(
      sample(text, `keyward_jwks_fetches_total{${iss},outcome="failure",reason="no_usable_keys"}`),
    ).toBe(1)
  })

  it('is the recipe docs/prometheus.md shows', async () => {
    const source = await readFile(new URL(import.meta.url), 'utf8')
    const recipe = source.slice(
      source.indexOf('// recipe:start\n') + '// recipe:start\n'.length,
      source.indexOf('// recipe:end'),
    )
    const docs = await readFile(new URL('../docs/prometheus.md', import.meta.url), 'utf8')
    expect(recipe.length).toBeGreaterThan(1000)
    expect(docs).toContain(recipe)
  })
})
