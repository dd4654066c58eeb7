import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keywardMetrics } from '../src/index.js'
import { startIssuerSetup, type IssuerSetup } from './support/issuer.js'
import { startTelemetry, type Telemetry, type Collected } from './support/telemetry.js'

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

const noEvents = (): void => undefined

function states(got: Collected, issuer: Record<string, string>): Record<string, number> {
  const found: Record<string, number> = {}
  for (const state of ['fresh', 'stale', 'unavailable']) {
    found[state] = got.value('keyward.jwks.state', { ...issuer, 'keyward.state': state }) ?? -1
  }
  return found
}

describe('gauges from health()', () => {
  it('samples trusted keys, key-set age, oldest key age and state at each collection', async () => {
    const { clock, issuer } = setup
    const metrics = keywardMetrics({ meter: telemetry.meter, now: clock.read })
    const verifier = setup.verifier(noEvents)
    metrics.observe(verifier)
    const at = { 'keyward.issuer': issuer.issuer }

    // Before any fetch: no keys, no age, unavailable.
    let got = await telemetry.collect()
    expect(got.value('keyward.jwks.keys', at)).toBe(0)
    expect(got.value('keyward.jwks.age', at)).toBeUndefined()
    expect(states(got, at)).toEqual({ fresh: 0, stale: 0, unavailable: 1 })

    await verifier.warmup()
    clock.advance(90_000)
    await issuer.rotate()
    clock.advance(30_000)
    await verifier.refresh()
    clock.advance(15_000)
    got = await telemetry.collect()
    expect(got.value('keyward.jwks.keys', at)).toBe(2)
    expect(got.value('keyward.jwks.age', at)).toBe(15)
    expect(got.value('keyward.jwks.oldest_key.age', at)).toBe(135)
    expect(got.value('keyward.jwks.staleness', at)).toBe(0)
    expect(got.value('keyward.jwks.consecutive_failures', at)).toBe(0)
    expect(got.value('keyward.jwks.revoked_keys', at)).toBe(0)
    expect(states(got, at)).toEqual({ fresh: 1, stale: 0, unavailable: 0 })
    expect(got.metric('keyward.jwks.age')?.descriptor.unit).toBe('s')

    verifier.revokeKey({ issuer: issuer.issuer, kid: issuer.signingKey.kid })
    got = await telemetry.collect()
    expect(got.value('keyward.jwks.keys', at)).toBe(1)
    expect(got.value('keyward.jwks.revoked_keys', at)).toBe(1)
    expect(got.value('keyward.jwks.dropped_keys', at)).toBe(1)
  })

  it('reports keys served past their freshness as stale, with the failures and the staleness', async () => {
    const { clock, issuer } = setup
    const metrics = keywardMetrics({ meter: telemetry.meter, now: clock.read })
    const verifier = setup.verifier(noEvents)
    metrics.observe(verifier)
    await verifier.warmup()
    const fetchedAt = clock.now
    setup.server.setFault({ kind: 'status', status: 503 })
    clock.advance(2 * 3_600_000)
    await verifier.refresh()
    const health = verifier.health().issuers[0]!
    const got = await telemetry.collect()
    const at = { 'keyward.issuer': issuer.issuer }
    expect(states(got, at)).toEqual({ fresh: 0, stale: 1, unavailable: 0 })
    expect(got.value('keyward.jwks.consecutive_failures', at)).toBe(1)
    expect(got.value('keyward.jwks.staleness', at)).toBe(health.staleForMs / 1000)
    expect(health.staleForMs).toBeGreaterThan(0)
    expect(got.value('keyward.jwks.age', at)).toBe((clock.now - fetchedAt) / 1000)
  })

  it('reports issuers outside `issuers` without the attribute, counts added up', async () => {
    const metrics = keywardMetrics({ meter: telemetry.meter, issuers: [], now: setup.clock.read })
    const first = setup.verifier(noEvents)
    const second = setup.verifier(noEvents)
    metrics.observe(first)
    metrics.observe(second)
    await first.warmup()
    await second.warmup()
    const got = await telemetry.collect()
    expect(got.points('keyward.jwks.keys')).toEqual([{ attributes: {}, value: 2 }])
    expect(got.points('keyward.jwks.state')).toContainEqual({
      attributes: { 'keyward.state': 'fresh' },
      value: 2,
    })
  })

  it('calls health() once per collection, and no more once observe’s stop function ran', async () => {
    const metrics = keywardMetrics({ meter: telemetry.meter, now: setup.clock.read })
    const verifier = setup.verifier(noEvents)
    let calls = 0
    const counted = new Proxy(verifier, {
      get(target, property) {
        if (property === 'health') calls++
        const value: unknown = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const stop = metrics.observe(counted)
    await verifier.warmup()
    calls = 0
    await telemetry.collect()
    await telemetry.collect()
    expect(calls).toBe(2)
    stop()
    await telemetry.collect()
    expect(calls).toBe(2)
  })
})
