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

/** Stores a verification the way a verifier does for a token it sees again: a second `set`. */
function store(cache: VerifiedTokenCache<string>, token: string, value = entry(token)): void {
  cache.set(token, value)
  cache.set(token, value)
}

describe('VerifiedTokenCache', () => {
  it('admits a token on its second verification, not its first', () => {
    const cache = new VerifiedTokenCache<string>(10)
    cache.set('token-a', entry('a'))
    expect(cache.get('token-a')).toBeUndefined()
    const second = entry('a')
    cache.set('token-a', second)
    expect(cache.get('token-a')).toBe(second)
    expect(cache.size).toBe(1)
  })

  it('keeps the tokens in use through a flood of tokens seen once', () => {
    const cache = new VerifiedTokenCache<string>(4)
    store(cache, 'in-use')
    for (let i = 0; i < 10_000; i++) cache.set(`one-off-${String(i).padStart(12, '0')}`, entry('x'))
    expect(cache.get('in-use')).toBeDefined()
    expect(cache.size).toBe(1)
  })

  it('says whether the exact token is cached, without marking it used', () => {
    const cache = new VerifiedTokenCache<string>(2)
    expect(cache.has('token-a')).toBe(false)
    for (const name of ['token-a', 'token-b']) store(cache, name)
    expect([cache.has('token-a'), cache.has('token-a '), cache.has('token-c')]).toEqual([
      true,
      false,
      false,
    ])
    // Not a use: `token-a` is still the first to go.
    store(cache, 'token-c')
    expect(cache.has('token-a')).toBe(false)
    expect(cache.has('token-b')).toBe(true)
  })

  it('finds an entry by the exact token only', () => {
    const cache = new VerifiedTokenCache<string>(10)
    const a = entry('a')
    store(cache, 'token-a', a)
    expect(cache.get('token-a')).toBe(a)
    expect(cache.get('token-A')).toBeUndefined()
    expect(cache.get('token-a ')).toBeUndefined()
  })

  it('never answers for a different token that shares the fingerprint (the last 12 characters)', () => {
    const cache = new VerifiedTokenCache<string>(10)
    const tail = '.SAME-TAIL-12'.slice(-12)
    const first = entry('first')
    store(cache, `header.payload-one${tail}`, first)
    expect(cache.get(`header.payload-two${tail}`)).toBeUndefined()
    const second = entry('second')
    store(cache, `header.payload-two${tail}`, second)
    expect(cache.get(`header.payload-two${tail}`)).toBe(second)
    expect(cache.get(`header.payload-one${tail}`)).toBeUndefined()
    cache.delete(`header.payload-one${tail}`)
    expect(cache.get(`header.payload-two${tail}`)).toBe(second)
    expect(cache.size).toBe(1)
  })

  it('evicts the oldest entry that was not used since it was stored', () => {
    const cache = new VerifiedTokenCache<string>(3)
    for (const name of ['a', 'b', 'c']) store(cache, name)
    cache.get('a')
    store(cache, 'd')
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
    for (const name of ['a', 'b', 'c']) store(cache, name)
    for (const name of ['a', 'b', 'c']) cache.get(name)
    // Every entry was used: one lap clears the flags and the oldest goes.
    store(cache, 'd')
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
    store(cache, 'a')
    store(cache, 'b')
    const again = entry('a')
    cache.set('a', again)
    expect(cache.size).toBe(2)
    expect(cache.get('a')).toBe(again)
    expect(cache.get('b')).toBeDefined()
  })

  it('stores nothing with a size of zero', () => {
    const cache = new VerifiedTokenCache<string>(0)
    store(cache, 'a')
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('forgets a deleted entry', () => {
    const cache = new VerifiedTokenCache<string>(2)
    store(cache, 'a')
    cache.delete('a')
    expect(cache.get('a')).toBeUndefined()
  })
})

/** Verifies a token twice, so that it is cached; the second outcome. */
async function outcomeTwice(harness: Harness, token: string): Promise<string> {
  await outcome(harness.verifier, token)
  return outcome(harness.verifier, token)
}

describe('the verified-token cache in a verifier', () => {
  let harness: Harness | undefined

  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  it('caches a token from its second verification and answers later ones from it', async () => {
    harness = await startHarness()
    const token = harness.token()
    const first = await harness.verifier.verify(token)
    const second = await harness.verifier.verify(token)
    expect(second).not.toBe(first)
    expect(await harness.verifier.verify(token)).toBe(second)
    expect(await harness.verifier.verify(token)).toBe(second)
    // A different token with the same claims is verified on its own.
    expect(await harness.verifier.verify(harness.token())).not.toBe(second)
  })

  it('rechecks time claims on every hit: a cached token expires at exp', async () => {
    harness = await startHarness()
    const token = harness.token(60)
    expect(await outcomeTwice(harness, token)).toBe('ok')
    // The default clock tolerance is 30 s.
    harness.clock.advance(60_000 + 29_999)
    expect(await outcome(harness.verifier, token)).toBe('ok')
    harness.clock.advance(1)
    expect(await outcome(harness.verifier, token)).toBe('token_expired')
  })

  it('drops a verification whose key was removed from the JWKS', async () => {
    harness = await startHarness()
    const token = harness.token(3600)
    expect(await outcomeTwice(harness, token)).toBe('ok')
    await harness.issuer.rotate({ retireOld: true })
    // A new kid makes the verifier refetch; that fetch removes the old key.
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(await outcome(harness.verifier, token)).toBe('unknown_key')
  })

  it('drops verifications when the keys outlive maxStaleMs', async () => {
    harness = await startHarness({ jwks: { maxStaleMs: 60_000 } })
    const token = harness.token(7200)
    expect(await outcomeTwice(harness, token)).toBe('ok')
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
    const verify = (token: string) => harness!.verifier.verify(token)
    // Seen twice, so both are cached.
    await Promise.all([a, b].map(verify))
    const cached = await Promise.all([a, b].map(verify))
    expect(await verify(a)).toBe(cached[0])
    await verify(c)
    await verify(c)
    // c took b's place: a was used since it was stored.
    expect(await verify(a)).toBe(cached[0])
    expect(await verify(b)).not.toBe(cached[1])
  })

  it('verifies every time with verifiedTokenCacheSize: 0', async () => {
    harness = await startHarness({ settings: { verifiedTokenCacheSize: 0 } })
    const token = harness.token()
    const first = await harness.verifier.verify(token)
    expect(await harness.verifier.verify(token)).not.toBe(first)
  })
})
