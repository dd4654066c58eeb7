import { randomUUID } from 'node:crypto'
import { startJwksServer, TestIssuer } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier } from '../src/index.js'
import {
  FakeClock,
  outcome,
  startHarness,
  tally,
  until,
  type Harness,
} from './support/jwks-harness.js'

const LIFETIME_MS = 600_000 // the default cacheMaxAgeMs
const REFRESH_AT_MS = 0.85 * LIFETIME_MS // with random() = 0.5
const COOLDOWN_MS = 30_000 // the default cooldownMs
let harness: Harness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('unknown kid', () => {
  it('accepts a token signed with a newly published kid after exactly one refetch', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    await harness.issuer.rotate()
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.server.jwksRequests).toBe(2)
    expect(harness.of('jwks_fetch_start').map((event) => event.cause)).toEqual([
      'warmup',
      'unknown_kid',
    ])
  })

  it('refetches once for a token without a kid that no cached key verifies', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    await harness.issuer.rotate({ retireOld: true })
    expect(await outcome(harness.verifier, harness.issuer.mint({}, { kid: null }))).toBe('ok')
    expect(harness.server.jwksRequests).toBe(2)
    // A forged kid-less token inside the cooldown: refused without network I/O.
    const forged = harness.issuer.mint({}, { kid: null, signature: 'zeros' })
    expect(await outcome(harness.verifier, forged)).toBe('invalid_signature')
    expect(harness.server.jwksRequests).toBe(2)
  })

  it('accepts 200 concurrent tokens with a brand-new kid right after a fetch, with one fetch', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    // Right after a scheduled refresh, not only after warm-up.
    harness.clock.advance(REFRESH_AT_MS)
    await outcome(harness.verifier, harness.token())
    await harness.settle()
    expect(harness.server.jwksRequests).toBe(2)
    await harness.issuer.rotate()
    const tokens = Array.from({ length: 200 }, () => harness!.token())
    const results = await Promise.all(tokens.map((token) => outcome(harness!.verifier, token)))
    expect(tally(results)).toEqual({ ok: 200 })
    expect(harness.server.jwksRequests).toBe(3)
  })

  it('still refreshes for a new kid when the fetch in flight began before its publication', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    // A scheduled refresh whose body the server captured before the rotation.
    harness.server.setFault({ kind: 'slow-body', chunkDelayMs: 40, chunks: 5 })
    harness.clock.advance(REFRESH_AT_MS)
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    await until(() => harness!.server.jwksRequests === 2)
    await harness.issuer.rotate()
    harness.server.setFault(null)
    const tokens = Array.from({ length: 200 }, () => harness!.token())
    const results = await Promise.all(tokens.map((token) => outcome(harness!.verifier, token)))
    expect(tally(results)).toEqual({ ok: 200 })
    // The scheduled refresh plus one coalesced unknown-kid refresh.
    expect(harness.server.jwksRequests).toBe(3)
    expect(harness.of('jwks_fetch_start').map((event) => event.cause)).toEqual([
      'warmup',
      'scheduled',
      'unknown_kid',
    ])
  })

  it('rejects an unknown kid inside the cooldown without network I/O', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    const hidden = await harness.issuer.addKey({ publish: false })
    const forged = () => harness!.issuer.mint({}, { key: hidden })
    expect(await outcome(harness.verifier, forged())).toBe('unknown_key')
    expect(harness.server.jwksRequests).toBe(2)
    harness.clock.advance(COOLDOWN_MS - 1)
    expect(await outcome(harness.verifier, forged())).toBe('unknown_key')
    expect(harness.server.jwksRequests).toBe(2)
    harness.clock.advance(1)
    expect(await outcome(harness.verifier, forged())).toBe('unknown_key')
    expect(harness.server.jwksRequests).toBe(3)
  })

  it(
    'keeps a storm of 1000 random kids to at most 2 fetches per cooldown while a known kid works',
    { timeout: 120_000 },
    async () => {
      harness = await startHarness()
      await harness.verifier.warmup()
      const hidden = await harness.issuer.addKey({ publish: false })
      const randomKid = () => harness!.issuer.mint({}, { key: hidden, kid: randomUUID() })
      // Start the storm as a scheduled refresh begins, the worst case for the limiter.
      harness.clock.advance(REFRESH_AT_MS)
      const fetchTimes: number[] = []
      let lastCount = harness.server.jwksRequests
      const rejected: string[] = []
      const known: string[] = []
      const windowStart = harness.clock.now
      // 1000 concurrent, then 1000 more spread over two cooldown windows, with legitimate
      // traffic interleaved.
      // Minted up front, so signing does not hold the event loop while fetches are in flight.
      const storm = Array.from({ length: 1000 }, (_, i) =>
        i % 100 === 0
          ? { known: true, token: harness!.token() }
          : { known: false, token: randomKid() },
      )
      await Promise.all(
        storm.map(({ known: isKnown, token }) =>
          outcome(harness!.verifier, token).then((r) => (isKnown ? known : rejected).push(r)),
        ),
      )
      for (let i = 0; i < 1000; i++) {
        harness.clock.advance(60) // 1000 × 60 ms = two cooldown windows
        rejected.push(await outcome(harness.verifier, randomKid()))
        if (i % 10 === 0) known.push(await outcome(harness.verifier, harness.token()))
        await harness.settle()
        if (harness.server.jwksRequests !== lastCount) {
          fetchTimes.push(harness.clock.now - windowStart)
          lastCount = harness.server.jwksRequests
        }
      }
      expect(tally(known)).toEqual({ ok: known.length })
      expect(tally(rejected)).toEqual({ unknown_key: rejected.length })
      // The burst: the scheduled refresh and one unknown-kid refresh, both before the loop.
      expect(lastCount).toBeLessThanOrEqual(1 + 2 + 2)
      for (let start = 0; start < 60_000; start += COOLDOWN_MS) {
        const inWindow = fetchTimes.filter((t) => t >= start && t < start + COOLDOWN_MS)
        expect(inWindow.length).toBeLessThanOrEqual(2)
      }
      expect(harness.of('jwks_fetch_start').filter((e) => e.cause === 'unknown_kid').length).toBe(3)
    },
  )

  it('caps unknown-kid refreshes across all issuers with the global budget', async () => {
    const clock = new FakeClock()
    const issuers = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        TestIssuer.create({
          issuer: `https://${name}.issuer.test/`,
          alg: 'ES256',
          now: clock.read,
        }),
      ),
    )
    const servers = await Promise.all(issuers.map((issuer) => startJwksServer({ issuer })))
    const verifier = createVerifier({
      issuers: issuers.map((issuer, i) => ({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: servers[i]!.url,
      })),
      now: clock.read,
      jwks: { refreshBudget: 2, refreshBudgetWindowMs: 60_000 },
    })
    try {
      await verifier.warmup()
      const hidden = await Promise.all(issuers.map((issuer) => issuer.addKey({ publish: false })))
      const forged = (i: number) => issuers[i]!.mint({}, { key: hidden[i]! })
      const fetches = () => servers.map((server) => server.jwksRequests - 1)
      expect(await outcome(verifier, forged(0))).toBe('unknown_key')
      expect(await outcome(verifier, forged(1))).toBe('unknown_key')
      expect(await outcome(verifier, forged(2))).toBe('unknown_key')
      expect(fetches()).toEqual([1, 1, 0])
      // The bucket refills at 2 per minute: one refresh after 30 s.
      clock.advance(30_000)
      expect(await outcome(verifier, forged(2))).toBe('unknown_key')
      expect(await outcome(verifier, forged(0))).toBe('unknown_key')
      expect(fetches()).toEqual([1, 1, 1])
      // A legitimate rotation still gets through once the budget allows.
      clock.advance(30_000)
      await issuers[0]!.rotate()
      expect(await outcome(verifier, issuers[0]!.mint())).toBe('ok')
      expect(fetches()).toEqual([2, 1, 1])
    } finally {
      verifier.close()
      await Promise.all(servers.map((server) => server.close()))
    }
  })
})

describe('rotation with steady traffic', () => {
  it('overlapping rotation: published, then used, then the old key removed, with zero rejections', async () => {
    harness = await startHarness()
    const { issuer, clock } = harness
    await harness.verifier.warmup()
    const tokens: string[] = []
    const results: string[] = []
    const tick = async () => {
      clock.advance(10_000)
      // Tokens live 5 minutes; keep the ones still valid and add one from the current key.
      tokens.push(harness!.token())
      while (tokens.length > 30) tokens.shift()
      for (const token of tokens) results.push(await outcome(harness!.verifier, token))
      await harness!.settle()
    }
    const old = issuer.signingKey
    for (let i = 0; i < 30; i++) await tick()
    const next = await issuer.addKey() // published, not yet signing
    for (let i = 0; i < 60; i++) await tick() // a scheduled refresh picks it up
    issuer.useForSigning(next)
    for (let i = 0; i < 60; i++) await tick() // old tokens expire meanwhile
    issuer.unpublish(old)
    for (let i = 0; i < 90; i++) await tick()
    expect(tally(results)).toEqual({ ok: results.length })
    // No unknown-kid refresh was ever needed.
    expect(harness.of('jwks_fetch_start').filter((e) => e.cause === 'unknown_kid')).toEqual([])
    expect(
      harness.of('jwks_keys_rotated').map(({ added, removed }) => ({ added, removed })),
    ).toEqual([
      { added: [next.kid], removed: [] },
      { added: [], removed: [old.kid] },
    ])
  })

  it('abrupt rotation: each new key signs the moment it is published, with zero rejections', async () => {
    harness = await startHarness()
    const { issuer, clock } = harness
    await harness.verifier.warmup()
    const results: string[] = []
    for (let round = 0; round < 5; round++) {
      // Rotate, retiring the old key at once; the next token uses the new key immediately.
      await issuer.rotate({ retireOld: true })
      for (let i = 0; i < 20; i++) {
        clock.advance(5000)
        const batch = Array.from({ length: 10 }, () => harness!.token())
        results.push(...(await Promise.all(batch.map((t) => outcome(harness!.verifier, t)))))
        await harness.settle()
      }
    }
    expect(tally(results)).toEqual({ ok: results.length })
    expect(harness.of('jwks_fetch_start').filter((e) => e.cause === 'unknown_kid')).toHaveLength(5)
  })

  it('stops verifying a removed key at once, cached verifications included', async () => {
    harness = await startHarness()
    const { issuer, clock } = harness
    const oldToken = harness.token(3600)
    expect(await outcome(harness.verifier, oldToken)).toBe('ok')
    expect(await outcome(harness.verifier, oldToken)).toBe('ok') // now a cache hit
    const old = issuer.signingKey
    await issuer.rotate({ retireOld: true })
    clock.advance(REFRESH_AT_MS)
    // This cache hit starts the scheduled refresh that learns of the removal.
    expect(await outcome(harness.verifier, oldToken)).toBe('ok')
    await harness.settle()
    expect(harness.of('jwks_keys_rotated').at(-1)).toMatchObject({ removed: [old.kid] })
    expect(await outcome(harness.verifier, oldToken)).toBe('unknown_key')
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
  })

  it('keeps verifications cached under a key that is still published', async () => {
    harness = await startHarness()
    const token = harness.token(3600)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    await harness.issuer.addKey()
    harness.clock.advance(REFRESH_AT_MS)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    await harness.settle()
    expect(harness.of('jwks_keys_rotated')).toHaveLength(1)
    // Same key material, same key object: the token still verifies (and fetches nothing).
    expect(await outcome(harness.verifier, token)).toBe('ok')
    expect(harness.server.jwksRequests).toBe(2)
  })

  it('applies a narrower alg republished under the same kid at the next refetch', async () => {
    const clock = new FakeClock()
    const issuer = await TestIssuer.create({ alg: 'RS256', now: clock.read })
    const jwk = issuer.signingKey.publicJwk
    delete jwk.alg
    harness = await startHarness({ issuer, clock })
    const token = harness.token(3600)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    expect(await outcome(harness.verifier, token)).toBe('ok') // now a cache hit
    // RFC 7517 §4.4: the key is now for PS256 only, so RS256 tokens no longer fit it.
    jwk.alg = 'PS256'
    clock.advance(REFRESH_AT_MS)
    await outcome(harness.verifier, token)
    await harness.settle()
    expect(harness.server.jwksRequests).toBe(2)
    expect(await outcome(harness.verifier, token)).toBe('invalid_signature')
    expect(await outcome(harness.verifier, harness.token())).toBe('invalid_signature')
  })

  it('accepts again once a key republished without its alg fits the token', async () => {
    const clock = new FakeClock()
    const issuer = await TestIssuer.create({ alg: 'RS256', now: clock.read })
    const jwk = issuer.signingKey.publicJwk
    jwk.alg = 'PS256'
    harness = await startHarness({ issuer, clock })
    const token = harness.token(3600)
    expect(await outcome(harness.verifier, token)).toBe('invalid_signature')
    delete jwk.alg
    clock.advance(REFRESH_AT_MS)
    await outcome(harness.verifier, harness.token())
    await harness.settle()
    expect(harness.server.jwksRequests).toBe(2)
    expect(await outcome(harness.verifier, token)).toBe('ok')
  })
})
