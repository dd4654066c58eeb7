// Module scenario: a SPIFFE bundle endpoint (Trust Domain and Bundle §4, §5) feeding the key
// source, with an injected clock: the refresh hint sets when bundles are fetched, sequence
// numbers are reported, a malformed bundle keeps the last good one.
import { startJwksServer, TestTrustDomain, type JwksServer } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { KeywardEvent, KeywardEventType } from '../src/events.js'
import type { JwksOptions } from '../src/options.js'
import { createVerifier, type Verifier } from '../src/verifier.js'
import { FakeClock, outcome, until } from './support/jwks-harness.js'

interface Scenario {
  readonly clock: FakeClock
  readonly domain: TestTrustDomain
  readonly server: JwksServer
  readonly verifier: Verifier
  readonly events: KeywardEvent[]
  /** Fetch start times, in ms since the scenario began. */
  readonly fetchTimes: () => number[]
  of<T extends KeywardEventType>(type: T): Extract<KeywardEvent, { type: T }>[]
}

let current: { verifier: Verifier; server: JwksServer } | undefined

afterEach(async () => {
  current?.verifier.close()
  await current?.server.close()
  current = undefined
})

async function scenario(
  refreshHintSeconds: number | undefined,
  jwks: JwksOptions = {},
): Promise<Scenario> {
  const clock = new FakeClock()
  const start = clock.now
  const domain = await TestTrustDomain.create({ refreshHintSeconds, now: clock.read })
  const server = await startJwksServer({ jwks: () => domain.bundle(), jwksPath: '/bundle' })
  const events: KeywardEvent[] = []
  const verifier = createVerifier({
    spiffe: {
      trustDomains: [
        { trustDomain: domain.trustDomain, bundleEndpoint: server.url, audience: domain.audience },
      ],
    },
    jwks,
    now: clock.read,
    // The refresh is planned at 0.75 + 0.2 × random of the freshness: 0.75 here.
    random: () => 0,
    onEvent: (event) => events.push(event),
  })
  current = { verifier, server }
  const of = <T extends KeywardEventType>(type: T) =>
    events.filter((event): event is Extract<KeywardEvent, { type: T }> => event.type === type)
  const fetchTimes: number[] = []
  events.push = (...added) => {
    for (const event of added)
      if (event.type === 'jwks_fetch_start') fetchTimes.push(clock.now - start)
    return Array.prototype.push.apply(events, added)
  }
  return { clock, domain, server, verifier, events, fetchTimes: () => fetchTimes, of }
}

/** Verifies a fresh JWT-SVID (which starts any due refresh) and waits for fetches to settle. */
async function traffic(s: Scenario, fetches: number): Promise<string> {
  const result = await outcome(s.verifier, s.domain.mint('/web'))
  await until(
    () => s.of('jwks_fetch_success').length + s.of('jwks_fetch_failure').length >= fetches,
  )
  return result
}

describe('spiffe_refresh_hint', () => {
  it('refreshes the bundle every hint, not before: fetches at 0, 90 s and 180 s for a 120 s hint', async () => {
    const s = await scenario(120)
    await s.verifier.warmup()
    expect(s.of('jwks_fetch_success')[0]?.freshForMs).toBe(120_000)
    s.clock.advance(89_000)
    expect(await traffic(s, 1)).toBe('ok')
    expect(s.server.jwksRequests).toBe(1)
    s.clock.advance(1_000) // 90 s: three quarters of the hint
    expect(await traffic(s, 2)).toBe('ok')
    s.clock.advance(90_000)
    expect(await traffic(s, 3)).toBe('ok')
    expect(s.fetchTimes()).toEqual([0, 90_000, 180_000])
    expect(s.of('jwks_fetch_start').map((event) => event.cause)).toEqual([
      'warmup',
      'scheduled',
      'scheduled',
    ])
  })

  it("wins over the endpoint's Cache-Control, and a 304 keeps it", async () => {
    const s = await scenario(120)
    s.server.setHeaders({ 'cache-control': 'max-age=3600' })
    s.server.setValidators({ etag: true })
    await s.verifier.warmup()
    s.clock.advance(90_000)
    await traffic(s, 2)
    expect(s.server.responses304).toBe(1)
    expect(
      s.of('jwks_fetch_success').map((event) => [event.notModified, event.freshForMs]),
    ).toEqual([
      [false, 120_000],
      [true, 120_000],
    ])
  })

  it('is bounded by jwks.cacheFloorMs: a 1 s hint does not mean a fetch per second', async () => {
    const s = await scenario(1)
    await s.verifier.warmup()
    expect(s.of('jwks_fetch_success')[0]?.freshForMs).toBe(60_000)
    s.clock.advance(30_000)
    await traffic(s, 1)
    expect(s.server.jwksRequests).toBe(1)
  })

  it('follows a short hint when the floor allows it: fetches every 3 s for a 4 s hint', async () => {
    const s = await scenario(4, { cacheFloorMs: 1000 })
    await s.verifier.warmup()
    for (let i = 0; i < 3; i++) {
      s.clock.advance(3_000)
      await traffic(s, i + 2)
    }
    expect(s.fetchTimes()).toEqual([0, 3_000, 6_000, 9_000])
  })

  it('falls back to Cache-Control, then jwks.cacheMaxAgeMs, without a hint', async () => {
    const s = await scenario(undefined, { cacheMaxAgeMs: 300_000 })
    await s.verifier.warmup()
    expect(s.of('jwks_fetch_success')[0]?.freshForMs).toBe(300_000)
  })
})

describe('spiffe_sequence', () => {
  it('reports the first sequence and each change, with the hint', async () => {
    const s = await scenario(120)
    await s.verifier.warmup()
    await s.domain.rotate()
    // A token signed with the new key: one unknown-kid refetch brings sequence 2.
    expect(await traffic(s, 2)).toBe('ok')
    expect(
      s
        .of('spiffe_bundle_updated')
        .map(({ trustDomain, issuer, sequence, previousSequence, refreshHintMs }) => ({
          trustDomain,
          issuer,
          sequence,
          previousSequence,
          refreshHintMs,
        })),
    ).toEqual([
      {
        trustDomain: 'example.org',
        issuer: 'spiffe://example.org',
        sequence: 1,
        previousSequence: undefined,
        refreshHintMs: 120_000,
      },
      {
        trustDomain: 'example.org',
        issuer: 'spiffe://example.org',
        sequence: 2,
        previousSequence: 1,
        refreshHintMs: 120_000,
      },
    ])
  })

  it('reports nothing when a refetched bundle keeps its sequence', async () => {
    const s = await scenario(120)
    await s.verifier.warmup()
    s.clock.advance(90_000)
    await traffic(s, 2)
    expect(s.of('spiffe_bundle_updated')).toHaveLength(1)
  })

  it('reports a lower sequence than the one held, and uses the bundle all the same', async () => {
    const s = await scenario(120)
    s.domain.sequence = 7
    await s.verifier.warmup()
    await s.domain.rotate({ retireOld: true })
    s.domain.sequence = 3 // a restored server, or a replayed document
    expect(await traffic(s, 2)).toBe('ok')
    expect(
      s
        .of('spiffe_bundle_sequence_regressed')
        .map(({ sequence, previousSequence }) => [sequence, previousSequence]),
    ).toEqual([[3, 7]])
    expect(s.of('spiffe_bundle_updated').map((event) => event.sequence)).toEqual([7, 3])
  })
})

describe('a malformed bundle', () => {
  it.each([
    ['spiffe_sequence as a string', { spiffe_sequence: '8' }],
    ['a negative spiffe_sequence', { spiffe_sequence: -1 }],
    ['a fractional spiffe_refresh_hint', { spiffe_refresh_hint: 1.5 }],
    ['keys that are not an array', { keys: {} }],
    ['no JWT-SVID key at all', { keys: [{ kty: 'EC', use: 'x509-svid' }] }],
  ])('keeps the last good bundle: %s', async (_, damage) => {
    const s = await scenario(120)
    await s.verifier.warmup()
    const good = s.domain.bundle()
    s.server.setFault({ kind: 'body', body: { ...good, ...damage } })
    s.clock.advance(90_000)
    expect(await traffic(s, 2)).toBe('ok')
    const [failure] = s.of('jwks_fetch_failure')
    expect([failure?.reason, failure?.servingLastKnownGood]).toEqual([
      expect.stringMatching(/^(invalid_shape|no_usable_keys)$/),
      true,
    ])
    expect(s.verifier.health().issuers[0]).toMatchObject({ state: 'fresh', keyCount: 1 })
    expect(s.of('spiffe_bundle_updated')).toHaveLength(1)
  })
})

describe('bundle keys', () => {
  it('keeps only jwt-svid keys and lists the others as dropped, with their reason', async () => {
    const s = await scenario(120)
    await s.domain.addX509Authority()
    const bundle = s.domain.bundle()
    const jwt = (bundle.keys as Record<string, unknown>[])[0] ?? {}
    s.server.setFault({
      kind: 'body',
      body: {
        ...bundle,
        keys: [
          ...(bundle.keys as unknown[]),
          { ...jwt, kid: 'as-sig', use: 'sig' },
          { ...jwt, kid: undefined, use: 'jwt-svid' },
        ],
      },
    })
    await s.verifier.warmup()
    const health = s.verifier.health().issuers[0]
    expect(health?.keyIds).toEqual([s.domain.signingKey.kid])
    expect(health?.droppedKeys.map(({ index, reason }) => [index, reason])).toEqual([
      [1, 'x509_svid_key'],
      [2, 'not_for_jwt_svid'],
      [3, 'missing_kid'],
    ])
  })

  it('accepts a rotated key after exactly one refetch, and refuses the retired one', async () => {
    const s = await scenario(120)
    await s.verifier.warmup()
    const old = s.domain.signingKey
    await s.domain.rotate({ retireOld: true })
    expect(await traffic(s, 2)).toBe('ok')
    expect(s.server.jwksRequests).toBe(2)
    expect(await outcome(s.verifier, s.domain.mint('/web', {}, { key: old }))).toBe('unknown_key')
  })
})
