import { describe, expect, it } from 'vitest'
import { TestIssuer } from '../src/index.js'
import { decode, verifyCompact } from './verify-compact.js'

const frozenNow = Date.UTC(2030, 0, 1, 12, 0, 0, 750)

describe('TestIssuer.create', () => {
  it('defaults to an RS256 issuer with one published signing key', async () => {
    const issuer = await TestIssuer.create()
    expect(issuer.issuer).toBe('https://issuer.test/')
    expect(issuer.audience).toBe('https://api.test')
    expect(issuer.signingKey.alg).toBe('RS256')
    expect(issuer.keys).toEqual([issuer.signingKey])
    expect(issuer.published).toEqual([issuer.signingKey])
    expect(issuer.signingKey.kid).toMatch(/^key-\d+-[0-9a-f]+$/)
    expect(issuer.signingKey.publicJwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' })
    expect(issuer.signingKey.publicJwk).not.toHaveProperty('d')
  })

  it('generates 2048-bit RSA keys', async () => {
    const issuer = await TestIssuer.create()
    expect(issuer.signingKey.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('uses the configured issuer, audience and algorithm', async () => {
    const issuer = await TestIssuer.create({ issuer: 'https://a/', audience: 'b', alg: 'ES384' })
    expect(issuer.claims()).toMatchObject({ iss: 'https://a/', aud: 'b' })
    expect(issuer.signingKey.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384' })
  })

  it('gives every key a different kid', async () => {
    const a = await TestIssuer.create({ alg: 'EdDSA' })
    const b = await TestIssuer.create({ alg: 'EdDSA' })
    expect(a.signingKey.kid).not.toBe(b.signingKey.kid)
  })
})

describe('claims', () => {
  it('fills the default access-token claims from the injected clock', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256', now: () => frozenNow })
    const claims = issuer.claims()
    const iat = Math.floor(frozenNow / 1000)
    expect(claims).toEqual({
      iss: 'https://issuer.test/',
      aud: 'https://api.test',
      sub: 'client-123',
      client_id: 'client-123',
      iat,
      exp: iat + 300,
      jti: expect.any(String),
      scope: 'read:things',
    })
    expect(Number.isInteger(claims.iat)).toBe(true)
  })

  it('uses a fresh jti for every token', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    expect(issuer.claims().jti).not.toBe(issuer.claims().jti)
  })

  it('replaces and adds claims from overrides', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const claims = issuer.claims({ sub: 'user-1', aud: ['a', 'b'], extra: { nested: true } })
    expect(claims).toMatchObject({ sub: 'user-1', aud: ['a', 'b'], extra: { nested: true } })
  })

  it('deletes a claim whose override is undefined', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const claims = issuer.claims({ exp: undefined, scope: undefined })
    expect(Object.keys(claims)).not.toContain('exp')
    expect(Object.keys(claims)).not.toContain('scope')
    expect(decode(issuer.mint({ exp: undefined })).payload).not.toHaveProperty('exp')
  })

  it('keeps a null override, which is a claim value and not a deletion', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    expect(issuer.claims({ exp: null })).toHaveProperty('exp', null)
  })
})

describe('key management', () => {
  it('adds a published, non-signing key by default', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const first = issuer.signingKey
    const added = await issuer.addKey()
    expect(added.alg).toBe('ES256')
    expect(issuer.signingKey).toBe(first)
    expect(issuer.published).toEqual([first, added])
    expect(issuer.jwks().keys.map((jwk) => jwk.kid)).toEqual([first.kid, added.kid])
  })

  it('adds an unpublished signing key with a chosen kid and algorithm', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const key = await issuer.addKey({ alg: 'EdDSA', kid: 'hidden', publish: false, sign: true })
    expect(key).toMatchObject({ kid: 'hidden', alg: 'EdDSA' })
    expect(issuer.signingKey).toBe(key)
    expect(issuer.keys).toContain(key)
    expect(issuer.published).not.toContain(key)
    expect(decode(issuer.mint()).header.kid).toBe('hidden')
  })

  it('publishes once and unpublishes by key or by kid', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const key = await issuer.addKey({ publish: false })
    issuer.publish(key)
    issuer.publish(key)
    expect(issuer.jwks().keys).toHaveLength(2)
    issuer.unpublish(key)
    expect(issuer.published).toEqual([issuer.signingKey])
    issuer.unpublish(issuer.signingKey.kid)
    expect(issuer.jwks()).toEqual({ keys: [] })
    expect(issuer.keys).toHaveLength(2)
  })

  it('signs with a key given to useForSigning without publishing it', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const other = await TestIssuer.create({ alg: 'ES256' })
    issuer.useForSigning(other.signingKey)
    expect(issuer.keys).toContain(other.signingKey)
    expect(issuer.published).not.toContain(other.signingKey)
    expect(verifyCompact(issuer.mint(), other.signingKey.publicJwk)).toBe(true)
  })

  it('rotates to a new published signing key and keeps the old one published', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const old = issuer.signingKey
    const next = await issuer.rotate()
    expect(next).not.toBe(old)
    expect(issuer.signingKey).toBe(next)
    expect(issuer.published).toEqual([old, next])
    expect(decode(issuer.mint()).header.kid).toBe(next.kid)
  })

  it('retires the previous signing key on rotate with retireOld', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const old = issuer.signingKey
    const next = await issuer.rotate({ alg: 'PS256', retireOld: true })
    expect(next.alg).toBe('PS256')
    expect(issuer.jwks().keys.map((jwk) => jwk.kid)).toEqual([next.kid])
    expect(issuer.keys).toEqual([old, next])
  })

  it('returns fresh JWK objects on every jwks() call', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const first = issuer.jwks()
    first.keys[0]!.kid = 'mutated'
    first.keys.push({ kty: 'oct' })
    expect(issuer.jwks().keys).toEqual([issuer.signingKey.publicJwk])
    expect(issuer.signingKey.publicJwk.kid).not.toBe('mutated')
  })

  it('snapshots keys and published so callers cannot edit the issuer through them', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    ;(issuer.published as unknown[]).length = 0
    expect(issuer.published).toHaveLength(1)
  })
})
