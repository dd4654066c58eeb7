// keyward.jwks.stale_periods: a stale period (keys served past their freshness while the JWKS
// endpoint fails) ends either recovered (a fetch succeeds) or expired (maxStaleMs passed and the
// keys were dropped). Driven by a real verifier against a loopback JWKS server that fails.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keywardMetrics } from '../src/index.js'
import { outcome, startIssuerSetup, type IssuerSetup } from './support/issuer.js'
import { startTelemetry, type Telemetry } from './support/telemetry.js'

const FRESH_MS = 600_000
const MAX_STALE_MS = 3_600_000
const STALE_PERIODS = 'keyward.jwks.stale_periods'

let setup: IssuerSetup
let telemetry: Telemetry

beforeEach(async () => {
  setup = await startIssuerSetup()
  telemetry = await startTelemetry()
})

afterEach(async () => {
  await setup.close()
  await telemetry.shutdown()
})

describe('stale periods', () => {
  it('counts a stale period that recovered, then one that expired, with the keys it dropped', async () => {
    const { issuer, clock, server } = setup
    const metrics = keywardMetrics({
      meter: telemetry.meter,
      issuers: [issuer.issuer],
      now: clock.read,
    })
    const verifier = setup.verifier(metrics.onEvent, {
      jwks: { cacheMaxAgeMs: FRESH_MS, maxStaleMs: MAX_STALE_MS },
      logger: false,
    })
    await verifier.warmup()

    // Past freshness with the endpoint failing: the last-known-good keys keep verifying (stale).
    server.setFault({ kind: 'status', status: 503 })
    clock.advance(FRESH_MS + 60_000)
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    expect(verifier.health().issuers[0]?.state).toBe('stale')
    // Healthy again: the operator's refresh (after the background retry) ends the period.
    server.setFault(null)
    expect((await verifier.refresh())[0]?.outcome).toBe('refreshed')
    expect(verifier.health().issuers[0]?.state).toBe('fresh')

    // Failing again, this time past maxStaleMs: the keys expire and tokens get 503.
    server.setFault({ kind: 'status', status: 503 })
    clock.advance(FRESH_MS + 60_000)
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    clock.advance(MAX_STALE_MS)
    expect(await outcome(verifier, issuer.mint())).toBe('jwks_unavailable')

    const got = await telemetry.collect()
    const at = { 'keyward.issuer': issuer.issuer }
    expect(got.metric(STALE_PERIODS)?.descriptor.unit).toBe('{period}')
    expect(got.points(STALE_PERIODS)).toHaveLength(2)
    expect(got.value(STALE_PERIODS, { ...at, 'keyward.outcome': 'recovered' })).toBe(1)
    expect(got.value(STALE_PERIODS, { ...at, 'keyward.outcome': 'expired' })).toBe(1)
    expect(
      got.value('keyward.jwks.key_changes', {
        ...at,
        'keyward.change': 'removed',
        'keyward.reason': 'expired',
      }),
    ).toBe(1)
    expect(
      got.value('keyward.token.verifications', {
        ...at,
        'keyward.outcome': 'rejected',
        'error.type': 'jwks_unavailable',
      }),
    ).toBe(1)
  })

  it('counts no period while the keys are fresh, even when fetches fail', async () => {
    const { issuer, clock, server } = setup
    const metrics = keywardMetrics({
      meter: telemetry.meter,
      issuers: [issuer.issuer],
      now: clock.read,
    })
    const verifier = setup.verifier(metrics.onEvent, {
      jwks: { cacheMaxAgeMs: FRESH_MS, maxStaleMs: MAX_STALE_MS },
      logger: false,
    })
    await verifier.warmup()
    server.setFault({ kind: 'status', status: 503 })
    expect((await verifier.refresh())[0]?.outcome).toBe('failed')
    server.setFault(null)
    expect((await verifier.refresh())[0]?.outcome).toBe('refreshed')
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    const got = await telemetry.collect()
    expect(got.points(STALE_PERIODS)).toEqual([])
    expect(
      got.value('keyward.jwks.fetches', {
        'keyward.issuer': issuer.issuer,
        'keyward.outcome': 'failure',
        'keyward.cause': 'manual',
        'keyward.reason': 'http_status',
      }),
    ).toBe(1)
  })
})
