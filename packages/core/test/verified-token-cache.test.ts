import { afterEach, describe, expect, it } from 'vitest'
import type { VerificationKey } from '../src/jwk-import.js'
import { VerifiedTokenCache, type CachedVerification } from '../src/verified-token-cache.js'
import type { VerifiedToken } from '../src/verified-token.js'
import { outcome, startHarness, type Harness } from './support/jwks-harness.js'

function entry(name: string): CachedVerification<string> {
  return {
    auth: { token: name } as unknown as VerifiedToken,
    key: { kid: name } as unknown as VerificationKey,
    issuer: 'issuer',
  }
}

describe('VerifiedTokenCache', () => {
  it('finds an entry by the exact token only', () => {
    const cache = new VerifiedTokenCache<string>(10)
    const a = entry('a')
    cache.set('token-a', a)
    expect(cache.get('token-a')).toBe(a)
    expect(cache.get('token-A')).toBeUndefined()
    expect(cache.get('token-a ')).toBeUndefined()
  })

  it('evicts the oldest entry that was not used since it was stored', () => {
    const cache = new VerifiedTokenCache<string>(3)
    for (const name of ['a', 'b', 'c']) cache.set(name, entry(name))
    cache.get('a')
    cache.set('d', entry('d'))
    expect(['a', 'b', 'c', 'd'].map((name) => cache.get(name) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
    ])
    expect(cache.size).toBe(3)
  })

  it('gives an entry used since the last pass a second chance, then evicts it', () => {
    const cache = new VerifiedTokenCache<string>(3)
    for (const name of ['a', 'b', 'c']) cache.set(name, entry(name))
    for (const name of ['a', 'b', 'c']) cache.get(name)
    // Every entry was used: one lap clears the flags and the oldest goes.
    cache.set('d', entry('d'))
    expect(['a', 'b', 'c', 'd'].map((name) => cache.get(name) !== undefined)).toEqual([
      false,
      true,
      true,
      true,
    ])
    expect(cache.size).toBe(3)
  })

  it('replaces an entry in place without evicting another', () => {
    const cache = new VerifiedTokenCache<string>(2)
    cache.set('a', entry('a'))
    cache.set('b', entry('b'))
    const again = entry('a')
    cache.set('a', again)
    expect(cache.size).toBe(2)
    expect(cache.get('a')).toBe(again)
    expect(cache.get('b')).toBeDefined()
  })

  it('stores nothing with a size of zero', () => {
    const cache = new VerifiedTokenCache<string>(0)
    cache.set('a', entry('a'))
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('forgets a deleted entry', () => {
    const cache = new VerifiedTokenCache<string>(2)
    cache.set('a', entry('a'))
    cache.delete('a')
    expect(cache.get('a')).toBeUndefined()
  })
})

describe('the verified-token cache in a verifier', () => {
  let harness: Harness | undefined

  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  it('answers a repeated token with the same verification', async () => {
    harness = await startHarness()
    const token = harness.token()
    const first = await harness.verifier.verify(token)
    expect(await harness.verifier.verify(token)).toBe(first)
    // A different token with the same claims is verified on its own.
    expect(await harness.verifier.verify(harness.token())).not.toBe(first)
  })

  it('rechecks time claims on every hit: a cached token expires at exp', async () => {
    harness = await startHarness()
    const token = harness.token(60)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    // The default clock tolerance is 30 s.
    harness.clock.advance(60_000 + 29_999)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    harness.clock.advance(1)
    expect(await outcome(harness.verifier, token)).toBe('token_expired')
  })

  it('drops a verification whose key was removed from the JWKS', async () => {
    harness = await startHarness()
    const token = harness.token(3600)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    await harness.issuer.rotate({ retireOld: true })
    // A new kid makes the verifier refetch; that fetch removes the old key.
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(await outcome(harness.verifier, token)).toBe('unknown_key')
  })

  it('drops verifications when the keys outlive maxStaleMs', async () => {
    harness = await startHarness({ jwks: { maxStaleMs: 60_000 } })
    const token = harness.token(7200)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    harness.server.setFault({ kind: 'status', status: 500 })
    harness.clock.advance(600_000 + 59_999)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    await harness.settle()
    harness.clock.advance(1)
    expect(await outcome(harness.verifier, token)).toBe('jwks_unavailable')
  })

  it('keeps at most verifiedTokenCacheSize verifications, the most recently used', async () => {
    harness = await startHarness({ settings: { verifiedTokenCacheSize: 2 } })
    const [a, b, c] = [harness.token(), harness.token(), harness.token()]
    const first = await Promise.all([a, b].map((token) => harness!.verifier.verify(token)))
    expect(await harness.verifier.verify(a)).toBe(first[0])
    await harness.verifier.verify(c)
    expect(await harness.verifier.verify(a)).toBe(first[0])
    expect(await harness.verifier.verify(b)).not.toBe(first[1])
  })

  it('verifies every time with verifiedTokenCacheSize: 0', async () => {
    harness = await startHarness({ settings: { verifiedTokenCacheSize: 0 } })
    const token = harness.token()
    const first = await harness.verifier.verify(token)
    expect(await harness.verifier.verify(token)).not.toBe(first)
  })
})
