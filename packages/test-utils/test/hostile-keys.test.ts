import { createPublicKey, sign, verify, createPrivateKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  symmetricJwk,
  testAlgorithms,
  weakRsaJwk,
} from '../src/index.js'

describe('hostile keys', () => {
  it('makes a 1024-bit RSA public JWK by default', async () => {
    const jwk = await weakRsaJwk(undefined, 'weak')
    expect(jwk).toMatchObject({ kty: 'RSA', kid: 'weak', alg: 'RS256', use: 'sig' })
    expect(jwk).not.toHaveProperty('d')
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(1024)
  })

  it('makes a weak RSA JWK of the requested size', async () => {
    const key = createPublicKey({ key: await weakRsaJwk(512), format: 'jwk' })
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(512)
  })

  it.each([
    [1, 'AQ'],
    [4, 'BA'],
    [65537, 'AQAB'],
    [256, 'AQA'],
  ])('puts exponent %i in a 2048-bit JWK as %s', async (e, encoded) => {
    const jwk = await rsaJwkWithExponent(e, 'exp')
    expect(jwk).toMatchObject({ kty: 'RSA', e: encoded, kid: 'exp', alg: 'RS256', use: 'sig' })
    expect(Buffer.from(String(jwk.n), 'base64url')).toHaveLength(256)
  })

  it.each(testAlgorithms)('makes a %s JWK with private members that signs', async (alg) => {
    const jwk = await privateJwk(alg, 'leaked')
    expect(jwk).toMatchObject({ kid: 'leaked', alg, use: 'sig', d: expect.any(String) })
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' })
    const hash = alg === 'EdDSA' ? null : 'sha256'
    const data = Buffer.from('x')
    const signature = sign(hash, data, privateKey)
    expect(verify(hash, data, createPublicKey(privateKey), signature)).toBe(true)
  })

  it('makes an RS256 private JWK by default', async () => {
    const jwk = await privateJwk()
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', p: expect.any(String) })
  })

  it('makes a symmetric HS256 JWK with a 256-bit secret', () => {
    const jwk = symmetricJwk('sym')
    expect(jwk).toEqual({ kty: 'oct', k: expect.any(String), kid: 'sym', alg: 'HS256' })
    expect(Buffer.from(String(jwk.k), 'base64url')).toHaveLength(32)
    expect(symmetricJwk().kid).not.toBe(symmetricJwk().kid)
  })

  it('makes an RSA public JWK for encryption', async () => {
    const jwk = await encryptionJwk('enc')
    expect(jwk).toMatchObject({ kty: 'RSA', kid: 'enc', use: 'enc' })
    expect(jwk).not.toHaveProperty('d')
    expect(createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyType).toBe('rsa')
  })
})
