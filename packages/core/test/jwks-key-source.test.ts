import { thumbprintOf } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { isKeywardError } from '../src/index.js'
import {
  outcome,
  rejection,
  startHarness,
  tally,
  until,
  type Harness,
} from './support/jwks-harness.js'
import { CORE_INDEX, runScript } from './support/node-script.js'

const LIFETIME_MS = 600_000 // the default cacheMaxAgeMs
let harness: Harness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('single flight', () => {
  it('makes exactly one fetch for 200 concurrent cold requests and accepts them all', async () => {
    harness = await startHarness()
    const tokens = Array.from({ length: 200 }, () => harness!.token())
    const results = await Promise.all(tokens.map((token) => outcome(harness!.verifier, token)))
    expect(tally(results)).toEqual({ ok: 200 })
    expect(harness.server.jwksRequests).toBe(1)
    expect(harness.of('jwks_fetch_start').map((event) => event.cause)).toEqual(['initial'])
  })

  it('shares one failing fetch among 200 concurrent cold requests', async () => {
    harness = await startHarness()
    harness.server.setFault({ kind: 'status', status: 500 })
    const tokens = Array.from({ length: 200 }, () => harness!.token())
    const results = await Promise.all(tokens.map((token) => outcome(harness!.verifier, token)))
    expect(tally(results)).toEqual({ jwks_unavailable: 200 })
    expect(harness.server.jwksRequests).toBe(1)
  })
})

describe('stale-while-revalidate', () => {
  it('does not fetch again while the keys are fresh', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    for (let second = 0; second < 500; second += 5) {
      harness.clock.advance(5000)
      expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    }
    expect(harness.server.jwksRequests).toBe(1)
  })

  it('refreshes in the background at a jittered point in the last quarter of the lifetime', async () => {
    for (const [random, share] of [
      [0, 0.75],
      [0.5, 0.85],
      [0.999, 0.9498],
    ] as const) {
      const h = await startHarness({ random: () => random })
      try {
        await h.verifier.warmup()
        const start = h.clock.now
        const token = h.token(3600)
        h.clock.set(start + Math.floor(LIFETIME_MS * share) - 1)
        await outcome(h.verifier, token)
        await h.settle()
        expect(h.server.jwksRequests).toBe(1)
        h.clock.set(start + Math.ceil(LIFETIME_MS * share))
        expect(await outcome(h.verifier, token)).toBe('ok')
        await h.settle()
        expect(h.server.jwksRequests).toBe(2)
        expect(h.of('jwks_fetch_start').at(-1)?.cause).toBe('scheduled')
        // Refreshed ahead of expiry: the keys never went stale.
        expect(h.of('jwks_stale_begin')).toEqual([])
      } finally {
        await h.close()
      }
    }
  })

  it('answers from cached keys while a scheduled refresh hangs', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    harness.server.setFault({ kind: 'hang' })
    harness.clock.advance(LIFETIME_MS - 1000)
    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: 50 }, () => outcome(harness!.verifier, harness!.token())),
    )
    const elapsed = performance.now() - started
    expect(tally(results)).toEqual({ ok: 50 })
    // The refresh is still in flight (it would take the 5 s timeout): nobody waited for it.
    expect(harness.inflight).toBe(1)
    await until(() => harness!.server.jwksRequests === 2)
    expect(elapsed).toBeLessThan(4000)
  })

  it('revalidates from verified-token cache hits alone', async () => {
    harness = await startHarness()
    const token = harness.token(7200)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    // Every later request is a cache hit; they must still drive the refresh schedule.
    for (let minute = 1; minute <= 60; minute++) {
      harness.clock.advance(60_000)
      expect(await outcome(harness.verifier, token)).toBe('ok')
      await harness.settle()
    }
    // One fetch, then one every 0.85 × 10 min.
    expect(harness.server.jwksRequests).toBe(1 + Math.floor(60 / 9))
  })
})

describe('warmup()', () => {
  it('fetches before traffic, so the first request makes no fetch', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    expect(harness.server.jwksRequests).toBe(1)
    expect(harness.of('jwks_fetch_start')[0]?.cause).toBe('warmup')
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.server.jwksRequests).toBe(1)
    expect(harness.verifier.health().ready).toBe(true)
  })

  it('rejects with jwks_unavailable and a Retry-After when the endpoint is down', async () => {
    harness = await startHarness()
    harness.server.setFault({ kind: 'status', status: 502 })
    const error = await rejection(harness.verifier.warmup())
    expect(isKeywardError(error) && error.code).toBe('jwks_unavailable')
    expect(isKeywardError(error) && error.status).toBe(503)
    expect(isKeywardError(error) && error.headers['Retry-After']).toBe('1')
    expect(harness.verifier.health().ready).toBe(false)
  })
})

describe('health()', () => {
  it('reports key ids, fetchedAt, freshness and the next refresh', async () => {
    harness = await startHarness()
    const before = harness.verifier.health().issuers[0]!
    expect(before).toMatchObject({
      state: 'unavailable',
      keyIds: [],
      fetchedAt: undefined,
      nextFetchAt: undefined,
    })
    const published = await harness.issuer.addKey()
    await harness.verifier.warmup()
    const fetchedAt = harness.clock.now
    harness.clock.advance(1000)
    expect(harness.verifier.health()).toEqual({
      ready: true,
      issuers: [
        {
          issuer: harness.issuer.issuer,
          jwksUri: harness.server.url,
          state: 'fresh',
          keyIds: [harness.issuer.signingKey.kid, published.kid],
          keyCount: 2,
          fetchedAt,
          staleForMs: 0,
          lastError: undefined,
          consecutiveFailures: 0,
          nextFetchAt: fetchedAt + 0.85 * LIFETIME_MS,
          keys: [harness.issuer.signingKey, published].map((key) => ({
            kid: key.kid,
            thumbprint: thumbprintOf(key),
            kty: 'EC',
            crv: 'P-256',
            bits: 256,
            alg: 'ES256',
            firstSeenAt: fetchedAt,
            lastSeenAt: fetchedAt,
            firstUsedAt: undefined,
            verifications: 0,
            rotationOverdue: false,
            unannounced: false,
          })),
          droppedKeys: [],
          droppedKeyCount: 0,
          revokedKeys: [],
          hygiene: {
            noTrustedKeys: false,
            rotationOverdue: [],
            unannouncedKeys: [],
            keySetReplacedAt: undefined,
          },
          tenant: false,
        },
      ],
    })
  })

  it('reports staleness age, the last error and the next attempt while serving last-known-good', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    harness.server.setFault({ kind: 'status', status: 503 })
    harness.clock.advance(LIFETIME_MS + 5000)
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    await harness.settle()
    const failedAt = harness.clock.now
    harness.clock.advance(250)
    const health = harness.verifier.health()
    expect(health.ready).toBe(true)
    expect(health.issuers[0]).toMatchObject({
      state: 'stale',
      staleForMs: 5250,
      lastError: 'http_status',
      consecutiveFailures: 1,
      nextFetchAt: failedAt + 750,
    })
  })
})

describe('cheap checks before network I/O', () => {
  it('rejects bad tokens on a cold verifier without fetching keys', async () => {
    harness = await startHarness()
    const { issuer, clock } = harness
    const nowS = Math.floor(clock.now / 1000)
    const cases: [string, string][] = [
      [issuer.mint({ exp: nowS - 3600 }), 'token_expired'],
      [issuer.mint({ aud: 'https://other.api' }), 'invalid_audience'],
      [issuer.mint({ iss: 'https://evil.test/' }), 'invalid_issuer'],
      [issuer.mint({}, { alg: 'none', signature: 'none-empty' }), 'malformed_token'],
      [issuer.mint({}, { alg: 'HS256', hmacSecret: 'secret' }), 'algorithm_not_allowed'],
      [issuer.mint({}, { typ: 'JWT+dpop' }), 'invalid_type'],
      [issuer.mint({ nbf: nowS + 3600 }), 'token_not_yet_valid'],
      ['not.a.jwt', 'malformed_token'],
    ]
    for (const [token, code] of cases) expect(await outcome(harness.verifier, token)).toBe(code)
    expect(harness.server.jwksRequests).toBe(0)
  })

  it('never refreshes for an unknown kid on a token that fails a cheap check', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    const hidden = await harness.issuer.addKey({ publish: false })
    const nowS = Math.floor(harness.clock.now / 1000)
    const expired = harness.issuer.mint({ exp: nowS - 3600 }, { key: hidden })
    const wrongAudience = harness.issuer.mint({ aud: 'https://other.api' }, { key: hidden })
    expect(await outcome(harness.verifier, expired)).toBe('token_expired')
    expect(await outcome(harness.verifier, wrongAudience)).toBe('invalid_audience')
    expect(harness.server.jwksRequests).toBe(1)
  })
})

describe('close()', () => {
  it('stops background refresh: later requests use the cache and fetch nothing', async () => {
    harness = await startHarness()
    const token = harness.token(7200)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    harness.verifier.close()
    harness.clock.advance(LIFETIME_MS * 2)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    await harness.settle()
    expect(harness.server.jwksRequests).toBe(1)
    expect(harness.inflight).toBe(0)
  })

  it('aborts a fetch in flight, so waiting requests fail fast with jwks_unavailable', async () => {
    harness = await startHarness({ jwks: { timeoutMs: 30_000 } })
    harness.server.setFault({ kind: 'hang' })
    const started = performance.now()
    const pending = outcome(harness.verifier, harness.token())
    await new Promise((resolve) => setTimeout(resolve, 50))
    harness.verifier.close()
    expect(await pending).toBe('jwks_unavailable')
    expect(performance.now() - started).toBeLessThan(5000)
    // A closed verifier does not start new fetches either.
    harness.server.setFault(null)
    expect(await outcome(harness.verifier, harness.token())).toBe('jwks_unavailable')
    expect(harness.server.jwksRequests).toBe(1)
  })

  it('keeps no timer that holds the process open, even without close()', async () => {
    const { exited, stdout, stderr } = await runScript(`
import { generateKeyPairSync } from 'node:crypto'
import { createVerifier } from ${JSON.stringify(CORE_INDEX)}
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] })
const healthy = createVerifier({
  issuer: 'https://issuer.test/',
  audience: 'api',
  jwksUri: 'https://issuer.test/jwks',
  jwks: { fetch: async () => new Response(jwks, { status: 200 }) },
})
await healthy.warmup()
const failing = createVerifier({
  issuer: 'https://issuer.test/',
  audience: 'api',
  jwksUri: 'https://issuer.test/jwks',
  jwks: { fetch: async () => new Response('', { status: 503 }) },
  logger: false,
})
await failing.warmup().catch(() => undefined)
console.log(JSON.stringify([healthy.health().issuers[0].nextFetchAt > 0, failing.health().issuers[0].nextFetchAt > 0]))
`)
    expect({ exited, stderr }).toEqual({ exited: 0, stderr: '' })
    // Both verifiers had a refresh or a retry planned when the process exited.
    expect(stdout.trim()).toBe('[true,true]')
  })
})
