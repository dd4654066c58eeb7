import { startJwksServer, TestIssuer, type TestKey, thumbprintOf } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier } from '../src/index.js'
import {
  FakeClock,
  outcome,
  rejection,
  startHarness,
  tally,
  type Harness,
} from './support/jwks-harness.js'

let harness: Harness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/** A harness whose JWKS publishes the signing key and a second key, both verifying. */
async function withTwoKeys(): Promise<{ h: Harness; leaked: TestKey; other: TestKey }> {
  const clock = new FakeClock()
  const issuer = await TestIssuer.create({ alg: 'ES256', now: clock.read })
  const other = await issuer.addKey()
  harness = await startHarness({ issuer, clock })
  await harness.verifier.warmup()
  return { h: harness, leaked: issuer.signingKey, other }
}

describe('revokeKey', () => {
  it('refuses a key by kid from the next request on, verified-token cache hits included', async () => {
    const { h, leaked } = await withTwoKeys()
    const token = h.token(3600)
    // The second verification admits the token to the verified-token cache.
    expect(await outcome(h.verifier, token)).toBe('ok')
    expect(await outcome(h.verifier, token)).toBe('ok')
    expect(h.verifier.revokeKey({ issuer: h.issuer.issuer, kid: leaked.kid })).toEqual({
      revoked: true,
      removedKeys: 1,
    })
    expect(await outcome(h.verifier, token)).toBe('unknown_key')
    expect(await outcome(h.verifier, h.token())).toBe('unknown_key')
    expect(h.server.jwksRequests).toBe(1)
  })

  it('refuses a key by thumbprint under any kid, and leaves the other keys verifying', async () => {
    const { h, leaked, other } = await withTwoKeys()
    const alias: TestKey = {
      ...leaked,
      kid: 'alias',
      publicJwk: { ...leaked.publicJwk, kid: 'alias' },
    }
    h.issuer.publish(alias)
    await h.verifier.refresh()
    expect(
      h.verifier.revokeKey({ issuer: h.issuer.issuer, thumbprint: thumbprintOf(leaked) }),
    ).toEqual({ revoked: true, removedKeys: 2 })
    expect(await outcome(h.verifier, h.token())).toBe('unknown_key')
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: alias }))).toBe('unknown_key')
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: other }))).toBe('ok')
  })

  it('survives refetches: the republished key stays refused, and its tokens never cause a fetch', async () => {
    const { h, leaked } = await withTwoKeys()
    h.verifier.revokeKey({ issuer: h.issuer.issuer, kid: leaked.kid })
    const results: string[] = []
    for (let minute = 0; minute < 30; minute++) {
      h.clock.advance(60_000)
      results.push(await outcome(h.verifier, h.token()))
      await h.settle()
    }
    expect(tally(results)).toEqual({ unknown_key: 30 })
    // Scheduled refreshes only: one every 0.85 × 10 min.
    expect(h.of('jwks_fetch_start').map((e) => e.cause)).toEqual([
      'warmup',
      'scheduled',
      'scheduled',
      'scheduled',
    ])
    expect(h.verifier.health().issuers[0]?.droppedKeys).toEqual([
      { index: 0, kid: leaked.kid, thumbprint: thumbprintOf(leaked), reason: 'revoked_key' },
    ])
    expect(h.of('jwks_key_dropped').at(-1)).toMatchObject({
      kid: leaked.kid,
      reason: 'revoked_key',
      thumbprint: thumbprintOf(leaked),
    })
  })

  it('refuses a key id the JWKS does not publish yet, and then without a fetch', async () => {
    const { h } = await withTwoKeys()
    const next = await h.issuer.addKey({ publish: false })
    h.verifier.revokeKey({ issuer: h.issuer.issuer, kid: next.kid })
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: next }))).toBe('unknown_key')
    h.issuer.publish(next)
    h.clock.advance(60_000)
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: next }))).toBe('unknown_key')
    expect(h.server.jwksRequests).toBe(1)
  })

  it('is listed in health() while in force, and reports a revocation made twice', async () => {
    const { h, leaked } = await withTwoKeys()
    const revokedAt = h.clock.now
    const selector = { issuer: h.issuer.issuer, kid: leaked.kid }
    h.verifier.revokeKey(selector)
    expect(h.verifier.revokeKey(selector)).toEqual({ revoked: false, removedKeys: 0 })
    const health = h.verifier.health().issuers[0]
    expect(health?.revokedKeys).toEqual([{ kid: leaked.kid, thumbprint: undefined, revokedAt }])
    expect(health?.keyIds).not.toContain(leaked.kid)
    expect(health?.droppedKeys).toMatchObject([{ kid: leaked.kid, reason: 'revoked_key' }])
    expect(h.of('jwks_key_revoked')).toEqual([
      {
        type: 'jwks_key_revoked',
        issuer: h.issuer.issuer,
        jwksUri: h.server.url,
        kid: leaked.kid,
        thumbprint: undefined,
        removedKeys: 1,
      },
    ])
    expect(h.of('jwks_key_removed')).toEqual([
      {
        type: 'jwks_key_removed',
        issuer: h.issuer.issuer,
        jwksUri: h.server.url,
        kid: leaked.kid,
        thumbprint: thumbprintOf(leaked),
        reason: 'revoked',
      },
    ])
  })

  it('reports, and does not crash on, revoking the last trusted key', async () => {
    const clock = new FakeClock()
    const issuer = await TestIssuer.create({ alg: 'ES256', now: clock.read })
    harness = await startHarness({ issuer, clock })
    await harness.verifier.warmup()
    harness.verifier.revokeKey({
      issuer: issuer.issuer,
      thumbprint: thumbprintOf(issuer.signingKey),
    })
    expect(harness.of('jwks_no_trusted_keys')).toHaveLength(1)
    expect(harness.verifier.health()).toMatchObject({
      ready: false,
      issuers: [{ state: 'fresh', keyCount: 0, hygiene: { noTrustedKeys: true } }],
    })
    expect(await outcome(harness.verifier, harness.token())).toBe('unknown_key')
  })
})

describe('restoreKey', () => {
  it('lets a revoked key verify again at once, without a fetch', async () => {
    const { h, leaked } = await withTwoKeys()
    const selector = { issuer: h.issuer.issuer, thumbprint: thumbprintOf(leaked) }
    h.verifier.revokeKey(selector)
    expect(await outcome(h.verifier, h.token())).toBe('unknown_key')
    expect(h.verifier.restoreKey(selector)).toEqual({ restored: true, restoredKeys: 1 })
    expect(await outcome(h.verifier, h.token())).toBe('ok')
    expect(h.server.jwksRequests).toBe(1)
    expect(h.verifier.health().issuers[0]?.revokedKeys).toEqual([])
    expect(h.of('jwks_key_restored')).toMatchObject([
      { kid: undefined, thumbprint: thumbprintOf(leaked), restoredKeys: 1 },
    ])
  })

  it('takes the selector of the revocation: a kid does not lift a revocation by thumbprint', async () => {
    const { h, leaked } = await withTwoKeys()
    h.verifier.revokeKey({ issuer: h.issuer.issuer, thumbprint: thumbprintOf(leaked) })
    expect(h.verifier.restoreKey({ issuer: h.issuer.issuer, kid: leaked.kid })).toEqual({
      restored: false,
      restoredKeys: 0,
    })
    expect(await outcome(h.verifier, h.token())).toBe('unknown_key')
  })

  it('keeps a key the JWKS no longer publishes out: restoring only lifts the revocation', async () => {
    const { h, leaked } = await withTwoKeys()
    h.verifier.revokeKey({ issuer: h.issuer.issuer, kid: leaked.kid })
    h.issuer.unpublish(leaked)
    await h.verifier.refresh()
    expect(h.verifier.restoreKey({ issuer: h.issuer.issuer, kid: leaked.kid })).toEqual({
      restored: true,
      restoredKeys: 0,
    })
    expect(await outcome(h.verifier, h.token())).toBe('unknown_key')
  })
})

describe('revokeKey and restoreKey arguments', () => {
  it.each([
    ['an issuer this verifier does not have', { issuer: 'https://other.test/', kid: 'k' }],
    [
      'a kid and a thumbprint at once',
      { issuer: 'ISSUER', kid: 'k', thumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' },
    ],
    ['neither a kid nor a thumbprint', { issuer: 'ISSUER' }],
    ['an empty kid', { issuer: 'ISSUER', kid: '' }],
    ['a thumbprint that is not one', { issuer: 'ISSUER', thumbprint: 'abc' }],
    ['an unknown member', { issuer: 'ISSUER', kid: 'k', reason: 'leak' }],
    ['no issuer', { kid: 'k' }],
    ['not an object', 'k'],
  ])('throws a TypeError for %s', async (_, selector) => {
    const { h } = await withTwoKeys()
    const argument = (
      typeof selector === 'object'
        ? JSON.parse(JSON.stringify(selector).replace('ISSUER', h.issuer.issuer))
        : selector
    ) as never
    expect(() => h.verifier.revokeKey(argument)).toThrow(TypeError)
    expect(() => h.verifier.restoreKey(argument)).toThrow(TypeError)
    expect(h.verifier.health().issuers[0]?.revokedKeys).toEqual([])
  })
})

describe('refresh()', () => {
  it('fetches now inside the unknown-kid cooldown', async () => {
    const { h } = await withTwoKeys()
    const hidden = await h.issuer.addKey({ publish: false })
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: hidden }))).toBe('unknown_key')
    expect(h.server.jwksRequests).toBe(2)
    h.issuer.publish(hidden)
    // Inside the cooldown a token alone cannot refresh; the operator can.
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: hidden }))).toBe('unknown_key')
    expect(await h.verifier.refresh(h.issuer.issuer)).toEqual([
      { issuer: h.issuer.issuer, outcome: 'refreshed', keyCount: 3, error: undefined },
    ])
    expect(h.of('jwks_fetch_start').at(-1)?.cause).toBe('manual')
    expect(await outcome(h.verifier, h.issuer.mint({}, { key: hidden }))).toBe('ok')
  })

  it('fetches past the backoff of a failing endpoint, and reports the failure', async () => {
    const { h } = await withTwoKeys()
    h.server.setFault({ kind: 'status', status: 500 })
    expect(await h.verifier.refresh()).toEqual([
      { issuer: h.issuer.issuer, outcome: 'failed', keyCount: 2, error: 'http_status' },
    ])
    // In backoff now: the operator may still try, and the keys still serve.
    expect(await h.verifier.refresh()).toMatchObject([{ outcome: 'failed' }])
    h.server.setFault(null)
    expect(await h.verifier.refresh()).toMatchObject([{ outcome: 'refreshed', keyCount: 2 }])
    expect(h.server.jwksRequests).toBe(4)
    expect(await outcome(h.verifier, h.token())).toBe('ok')
  })

  it('spends the shared refresh budget and says so when it is spent', async () => {
    const clock = new FakeClock()
    const issuer = await TestIssuer.create({ alg: 'ES256', now: clock.read })
    harness = await startHarness({ issuer, clock, jwks: { refreshBudget: 2 } })
    const results = []
    for (let i = 0; i < 4; i++) results.push((await harness.verifier.refresh())[0]?.outcome)
    expect(results).toEqual(['refreshed', 'refreshed', 'throttled', 'throttled'])
    expect(harness.server.jwksRequests).toBe(2)
    // Unknown-kid refreshes share the budget: none is left for them either.
    const hidden = await issuer.addKey()
    expect(await outcome(harness.verifier, issuer.mint({}, { key: hidden }))).toBe('unknown_key')
    expect(harness.server.jwksRequests).toBe(2)
    clock.advance(30_000)
    expect(await harness.verifier.refresh()).toMatchObject([{ outcome: 'refreshed' }])
  })

  it('starts its own fetch after one already in flight, which may predate the change', async () => {
    const { h } = await withTwoKeys()
    h.server.setFault({ kind: 'delay', ms: 100 })
    h.clock.advance(600_000)
    expect(await outcome(h.verifier, h.token())).toBe('ok') // starts a scheduled refresh
    expect(h.inflight).toBe(1)
    await h.verifier.refresh()
    expect(h.of('jwks_fetch_start').map((e) => e.cause)).toEqual(['warmup', 'scheduled', 'manual'])
  })

  it('refreshes every issuer without an argument, and rejects an issuer it does not have', async () => {
    const a = await TestIssuer.create({ alg: 'ES256', issuer: 'https://a.test/' })
    const b = await TestIssuer.create({ alg: 'ES256', issuer: 'https://b.test/' })
    const [serverA, serverB] = await Promise.all([
      startJwksServer({ issuer: a }),
      startJwksServer({ issuer: b }),
    ])
    const verifier = createVerifier({
      issuers: [
        { issuer: a.issuer, audience: a.audience, jwksUri: serverA.url },
        { issuer: b.issuer, audience: b.audience, jwksUri: serverB.url },
      ],
    })
    try {
      expect((await verifier.refresh()).map((result) => [result.issuer, result.outcome])).toEqual([
        [a.issuer, 'refreshed'],
        [b.issuer, 'refreshed'],
      ])
      expect(await rejection(verifier.refresh('https://c.test/'))).toBeInstanceOf(TypeError)
      expect([serverA.jwksRequests, serverB.jwksRequests]).toEqual([1, 1])
    } finally {
      verifier.close()
      await Promise.all([serverA.close(), serverB.close()])
    }
  })

  it('does nothing after close()', async () => {
    const { h } = await withTwoKeys()
    h.verifier.close()
    expect(await h.verifier.refresh()).toMatchObject([{ outcome: 'closed' }])
    expect(h.server.jwksRequests).toBe(1)
  })
})
