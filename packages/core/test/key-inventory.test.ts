import { TestIssuer, type TestKey, thumbprintOf } from '@keyward/test-utils'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { KeyInventory } from '../src/key-inventory.js'
import { diffKeySets } from '../src/key-set.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'
import { FakeClock, outcome, startHarness, type Harness } from './support/jwks-harness.js'

const DAY = 86_400_000

describe('KeyInventory', () => {
  let keys: VerificationKey[]

  beforeAll(async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const more = [await issuer.addKey(), await issuer.addKey()]
    keys = await Promise.all(
      [issuer.signingKey, ...more].map(async (key) => {
        const result = await importVerificationKey(key.publicJwk)
        if (result.key === undefined) throw new Error(result.reason)
        return result.key
      }),
    )
  }, SETUP_TIMEOUT_MS)

  const inventory = () => new KeyInventory({ maxKeyAgeMs: 90 * DAY, minKeyNoticeMs: 60_000 })
  const key = (i: number) => (): VerificationKey => {
    const found = keys[i]
    if (found === undefined) throw new Error('keys not imported')
    return found
  }
  const [a, b, c] = [key(0), key(1), key(2)]

  it('records when each key was first and last seen', () => {
    const inv = inventory()
    inv.adopted(diffKeySets([], [a()]), 1000, false)
    inv.adopted(diffKeySets([a()], [a(), b()]), 5000, true)
    inv.confirmed([a(), b()], 9000)
    expect([inv.info(a(), 9000), inv.info(b(), 9000)]).toMatchObject([
      { firstSeenAt: 1000, lastSeenAt: 9000 },
      { firstSeenAt: 5000, lastSeenAt: 9000 },
    ])
  })

  it('flags a key whose first token comes within minKeyNoticeMs of its first sighting', () => {
    const inv = inventory()
    inv.adopted(diffKeySets([], [a()]), 0, false)
    inv.adopted(diffKeySets([a()], [a(), b(), c()]), 100_000, true)
    expect(inv.firstUse(b(), 159_999)).toBe(59_999)
    expect(inv.firstUse(c(), 160_000)).toBeUndefined()
    // Reported once: only the first use is judged.
    expect(inv.firstUse(b(), 160_000)).toBeUndefined()
    expect(inv.info(b(), 0).unannounced).toBe(true)
    expect(inv.info(c(), 0)).toMatchObject({ unannounced: false, firstUsedAt: 160_000 })
  })

  it('never judges keys of the first key set: when they were published is unknown', () => {
    const inv = inventory()
    inv.adopted(diffKeySets([], [a()]), 0, false)
    expect(inv.firstUse(a(), 1)).toBeUndefined()
  })

  it('reports a key past maxKeyAgeMs once, and keeps flagging it', () => {
    const inv = inventory()
    inv.adopted(diffKeySets([], [a()]), 0, false)
    expect(inv.newlyOverdue([a()], 90 * DAY)).toEqual([])
    expect(inv.newlyOverdue([a()], 90 * DAY + 1)).toEqual([a()])
    expect(inv.newlyOverdue([a()], 91 * DAY)).toEqual([])
    expect(inv.info(a(), 91 * DAY).rotationOverdue).toBe(true)
    expect(inv.ageMs(a(), 91 * DAY)).toBe(91 * DAY)
  })

  it('notices a key set replaced all at once, not an overlapping rotation', () => {
    const inv = inventory()
    expect(inv.adopted(diffKeySets([], [a()]), 0, false)).toBe(false)
    expect(inv.adopted(diffKeySets([a()], [a(), b()]), 1, true)).toBe(false)
    expect(inv.adopted(diffKeySets([a(), b()], [b()]), 2, true)).toBe(false)
    expect(inv.adopted(diffKeySets([b()], [c()]), 3, true)).toBe(true)
    expect(inv.hygiene([], false).keySetReplacedAt).toBe(3)
  })

  it('forgets a removed key: republished, it is new', () => {
    const inv = inventory()
    inv.adopted(diffKeySets([], [a(), b()]), 0, false)
    inv.adopted(diffKeySets([a(), b()], [a()]), 10, true)
    inv.adopted(diffKeySets([a()], [a(), b()]), 20, true)
    expect(inv.info(b(), 20).firstSeenAt).toBe(20)
  })
})

describe('health() key inventory', () => {
  let harness: Harness | undefined

  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  it('counts verifications per key, verified-token cache hits included', async () => {
    harness = await startHarness()
    const other = await harness.issuer.addKey()
    const token = harness.token()
    for (let i = 0; i < 5; i++) expect(await outcome(harness.verifier, token)).toBe('ok')
    expect(await outcome(harness.verifier, harness.issuer.mint({}, { key: other }))).toBe('ok')
    const start = harness.clock.now
    expect(harness.verifier.health().issuers[0]?.keys).toMatchObject([
      { kid: harness.issuer.signingKey.kid, verifications: 5, firstUsedAt: start },
      { kid: other.kid, verifications: 1, firstUsedAt: start },
    ])
  })

  it('keeps first seen and the use count across refetches, and moves last seen on 200 and 304', async () => {
    harness = await startHarness()
    harness.server.setValidators({ etag: true })
    const start = harness.clock.now
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    for (let i = 0; i < 2; i++) {
      harness.clock.advance(600_000)
      expect(await outcome(harness.verifier, harness.token())).toBe('ok')
      await harness.settle()
    }
    expect(harness.server.responses304).toBe(2)
    expect(harness.verifier.health().issuers[0]?.keys).toMatchObject([
      { firstSeenAt: start, lastSeenAt: start + 1_200_000, verifications: 3 },
    ])
  })

  it('carries thumbprints in jwks_key_added and jwks_key_removed as keys rotate', async () => {
    harness = await startHarness()
    const first = harness.issuer.signingKey
    await harness.verifier.warmup()
    const next = await harness.issuer.rotate({ retireOld: true })
    await harness.verifier.refresh()
    expect(harness.of('jwks_key_added').map((e) => [e.kid, e.thumbprint])).toEqual([
      [first.kid, thumbprintOf(first)],
      [next.kid, thumbprintOf(next)],
    ])
    expect(harness.of('jwks_key_removed').map((e) => [e.kid, e.thumbprint, e.reason])).toEqual([
      [first.kid, thumbprintOf(first), 'unpublished'],
    ])
    expect(harness.of('jwks_key_set_replaced')).toHaveLength(1)
    expect(harness.verifier.health().issuers[0]?.hygiene.keySetReplacedAt).toBe(harness.clock.now)
  })

  it('reports expired keys as removed', async () => {
    harness = await startHarness({ jwks: { maxStaleMs: 60_000 } })
    await harness.verifier.warmup()
    harness.server.setFault({ kind: 'status', status: 500 })
    harness.clock.advance(600_000 + 60_000)
    expect(await outcome(harness.verifier, harness.token())).toBe('jwks_unavailable')
    expect(harness.of('jwks_key_removed')).toMatchObject([
      { kid: harness.issuer.signingKey.kid, reason: 'expired' },
    ])
    expect(harness.verifier.health().issuers[0]?.keys).toEqual([])
  })
})

describe('rotation hygiene', () => {
  let harness: Harness | undefined

  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  it('reports a key trusted longer than jwks.maxKeyAgeMs, once, and flags it in health()', async () => {
    harness = await startHarness({ jwks: { maxKeyAgeMs: 30 * DAY, maxStaleMs: 60 * DAY } })
    const key = harness.issuer.signingKey
    await harness.verifier.warmup()
    for (let day = 0; day < 32; day++) {
      harness.clock.advance(DAY)
      await harness.verifier.refresh()
    }
    expect(harness.of('jwks_key_rotation_overdue')).toMatchObject([
      {
        kid: key.kid,
        thumbprint: thumbprintOf(key),
        trustedForMs: 31 * DAY,
        maxKeyAgeMs: 30 * DAY,
      },
    ])
    const health = harness.verifier.health().issuers[0]
    expect(health?.keys[0]?.rotationOverdue).toBe(true)
    expect(health?.hygiene.rotationOverdue).toEqual([thumbprintOf(key)])
  })

  it('does not report a key within its age', async () => {
    harness = await startHarness({ jwks: { maxKeyAgeMs: 30 * DAY, maxStaleMs: 60 * DAY } })
    await harness.verifier.warmup()
    harness.clock.advance(30 * DAY)
    await harness.verifier.refresh()
    expect(harness.of('jwks_key_rotation_overdue')).toEqual([])
    expect(harness.verifier.health().issuers[0]?.hygiene.rotationOverdue).toEqual([])
  })

  it('reports a token signed by a key first seen moments ago: a rotation without pre-publication', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    harness.clock.advance(120_000)
    const next = await harness.issuer.rotate()
    // The token arrives first; the unknown-kid refresh brings its key.
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.of('jwks_key_unannounced')).toMatchObject([
      { kid: next.kid, thumbprint: thumbprintOf(next), noticeMs: 0, minKeyNoticeMs: 60_000 },
    ])
    expect(harness.verifier.health().issuers[0]?.hygiene.unannouncedKeys).toEqual([
      thumbprintOf(next),
    ])
  })

  it('does not report a key published ahead of use', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    const next = await harness.issuer.addKey()
    await harness.verifier.refresh()
    harness.clock.advance(60_000)
    expect(await outcome(harness.verifier, harness.issuer.mint({}, { key: next }))).toBe('ok')
    expect(harness.of('jwks_key_unannounced')).toEqual([])
    expect(harness.verifier.health().issuers[0]?.keys[1]).toMatchObject({
      kid: next.kid,
      unannounced: false,
      firstUsedAt: harness.clock.now,
    })
  })

  it('turns the pre-publication signal off with minKeyNoticeMs: 0', async () => {
    harness = await startHarness({ jwks: { minKeyNoticeMs: 0 } })
    await harness.verifier.warmup()
    await harness.issuer.rotate()
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.of('jwks_key_unannounced')).toEqual([])
  })

  it('reports a key set replaced all at once, but not an overlapping rotation', async () => {
    const clock = new FakeClock()
    const issuer = await TestIssuer.create({ alg: 'ES256', now: clock.read })
    harness = await startHarness({ issuer, clock })
    await harness.verifier.warmup()
    // Overlapping: the next key is published, then the old one removed.
    const overlapping: TestKey = await issuer.addKey()
    await harness.verifier.refresh()
    issuer.unpublish(issuer.signingKey)
    await harness.verifier.refresh()
    expect(harness.of('jwks_key_set_replaced')).toEqual([])
    // Abrupt: every key replaced in one fetch.
    const abrupt = await issuer.addKey()
    issuer.unpublish(overlapping)
    await harness.verifier.refresh()
    expect(harness.of('jwks_key_set_replaced')).toEqual([
      {
        type: 'jwks_key_set_replaced',
        issuer: issuer.issuer,
        jwksUri: harness.server.url,
        added: [thumbprintOf(abrupt)],
        removed: [thumbprintOf(overlapping)],
      },
    ])
  })
})
