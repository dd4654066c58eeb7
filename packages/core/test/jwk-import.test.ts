import { generateKeyPairSync } from 'node:crypto'
import {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  symmetricJwk,
  TestIssuer,
  testAlgorithms,
  weakRsaJwk,
  type TestKey,
} from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { importVerificationKey } from '../src/jwk-import.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

let issuer: TestIssuer
let rsa: TestKey
let ec: TestKey
let ed: TestKey

beforeAll(async () => {
  issuer = await TestIssuer.create()
  rsa = issuer.signingKey
  ec = await issuer.addKey({ alg: 'ES256' })
  ed = await issuer.addKey({ alg: 'EdDSA' })
}, SETUP_TIMEOUT_MS)

async function reason(jwk: unknown): Promise<string> {
  const result = await importVerificationKey(jwk)
  return result.reason ?? 'imported'
}

describe('importVerificationKey', () => {
  it.each(testAlgorithms)('imports the public JWK of a %s key', async (alg) => {
    const key = await issuer.addKey({ alg, publish: false })
    const result = await importVerificationKey(key.publicJwk)
    expect({
      kid: result.key?.kid,
      alg: result.key?.alg,
      type: result.key?.keyObject.type,
    }).toEqual({ kid: key.kid, alg, type: 'public' })
  })

  it('imports a key without kid, alg or use', async () => {
    const { kty, n, e } = rsa.publicJwk
    expect(await reason({ kty, n, e })).toBe('imported')
  })

  it('gives the same key the same fingerprint and another kid another one', async () => {
    const a = await importVerificationKey(rsa.publicJwk)
    const b = await importVerificationKey({ ...rsa.publicJwk })
    const c = await importVerificationKey({ ...rsa.publicJwk, kid: 'other' })
    expect(a.key?.fingerprint).toBe(b.key?.fingerprint)
    expect(a.key?.fingerprint).not.toBe(c.key?.fingerprint)
  })

  it('gives a key another fingerprint when its alg changes, since it then fits other tokens', async () => {
    const { kty, n, e } = rsa.publicJwk
    const rs256 = await importVerificationKey(rsa.publicJwk)
    const ps256 = await importVerificationKey({ ...rsa.publicJwk, alg: 'PS256' })
    const any = await importVerificationKey({ kty, n, e, kid: rsa.kid })
    const fingerprints = new Set([rs256, ps256, any].map((result) => result.key?.fingerprint))
    expect(fingerprints.size).toBe(3)
  })

  it.each([
    ['an RSA private key', () => privateJwk('RS256'), 'private_key'],
    ['an EC private key', () => privateJwk('ES256'), 'private_key'],
    ['an Ed25519 private key', () => privateJwk('EdDSA'), 'private_key'],
    ['a symmetric key', () => symmetricJwk(), 'symmetric_key'],
    ['an encryption key', () => encryptionJwk(), 'not_for_signing'],
    ['a 1024-bit RSA key', () => weakRsaJwk(1024), 'weak_rsa_key'],
    ['a 2047-bit RSA key', () => weakRsaJwk(2047), 'weak_rsa_key'],
    ['an RSA key with e = 1', () => rsaJwkWithExponent(1), 'weak_rsa_exponent'],
    ['an RSA key with e = 2', () => rsaJwkWithExponent(2), 'weak_rsa_exponent'],
    ['an RSA key with e = 65536', () => rsaJwkWithExponent(65536), 'weak_rsa_exponent'],
  ])('drops %s', async (_, build, expected) => {
    expect(await reason(await build())).toBe(expected)
  })

  it('keeps an RSA key with e = 3', async () => {
    expect(await reason(await rsaJwkWithExponent(3))).toBe('imported')
  })

  it.each([
    ['2^32 + 1', 2 ** 32 + 1],
    ['of 3063 bits', (1n << 3062n) + 1n],
  ])('drops an RSA key with e %s as a CPU trap', async (_, e) => {
    expect(await reason(await rsaJwkWithExponent(e))).toBe('rsa_exponent_too_large')
  })

  it('keeps an RSA key with e = 2^32 - 1, the largest exponent allowed', async () => {
    expect(await reason(await rsaJwkWithExponent(2 ** 32 - 1))).toBe('imported')
  })

  it('ignores leading zero octets of the exponent', async () => {
    const e = Buffer.from('000000000000010001', 'hex').toString('base64url')
    expect(await reason({ ...rsa.publicJwk, e })).toBe('imported')
  })

  it('keeps a 2048-bit RSA key whose modulus has a leading zero octet', async () => {
    const n = Buffer.concat([Buffer.from([0]), Buffer.from(rsa.publicJwk.n as string, 'base64url')])
    expect(await reason({ ...rsa.publicJwk, n: n.toString('base64url') })).toBe('imported')
  })

  it.each([
    ['a string', 'key', 'not_an_object'],
    ['null', null, 'not_an_object'],
    ['an array', [], 'not_an_object'],
  ])('drops %s', async (_, jwk, expected) => {
    expect(await reason(jwk)).toBe(expected)
  })

  it.each([
    ['a numeric kid', { kid: 1 }, 'invalid_kid'],
    ['an empty kid', { kid: '' }, 'invalid_kid'],
    ['use: enc', { use: 'enc' }, 'not_for_signing'],
    ['an unknown use', { use: 'signature' }, 'not_for_signing'],
    ['key_ops without verify', { key_ops: ['sign'] }, 'no_verify_operation'],
    ['key_ops that is not an array', { key_ops: 'verify' }, 'no_verify_operation'],
    ['alg HS256', { alg: 'HS256' }, 'unsupported_algorithm'],
    ['alg none', { alg: 'none' }, 'unsupported_algorithm'],
    ['an alg of another key type', { alg: 'ES256' }, 'unsupported_algorithm'],
    ['a private exponent', { d: 'AQAB' }, 'private_key'],
    ['a missing modulus', { n: undefined }, 'invalid_key'],
    ['a numeric exponent', { e: 65537 }, 'invalid_key'],
  ])('drops an RSA key with %s', async (_, change, expected) => {
    expect(await reason({ ...rsa.publicJwk, ...change })).toBe(expected)
  })

  it('keeps key_ops that include verify', async () => {
    expect(await reason({ ...rsa.publicJwk, key_ops: ['verify'] })).toBe('imported')
  })

  it.each([
    ['an unsupported curve', { crv: 'secp256k1' }, 'unsupported_curve'],
    ['no curve', { crv: undefined }, 'unsupported_curve'],
    ['an alg of another curve', { alg: 'ES384' }, 'unsupported_algorithm'],
    ['a point off the curve', { y: Buffer.alloc(32, 1).toString('base64url') }, 'invalid_key'],
    ['a missing y', { y: undefined }, 'invalid_key'],
  ])('drops an EC key with %s', async (_, change, expected) => {
    expect(await reason({ ...ec.publicJwk, ...change })).toBe(expected)
  })

  it.each([
    ['Ed448', 'unsupported_curve'],
    ['X25519', 'unsupported_curve'],
  ])('drops an OKP key on %s', async (crv, expected) => {
    expect(await reason({ ...ed.publicJwk, crv, alg: undefined })).toBe(expected)
  })

  it.each([
    ['the identity point', `01${'00'.repeat(31)}`],
    ['the identity point with the sign bit set', `01${'00'.repeat(30)}80`],
    ['a point of order 8', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ])('drops a small-order Ed25519 key: %s', async (_, hex) => {
    const x = Buffer.from(hex, 'hex').toString('base64url')
    expect(await reason({ kty: 'OKP', crv: 'Ed25519', x })).toBe('small_order_key')
  })

  it.each(['oct', 'XYZ', undefined, 1])('drops kty %j', async (kty) => {
    const expected = kty === 'oct' ? 'symmetric_key' : 'unsupported_key_type'
    const { n, e } = rsa.publicJwk
    expect(await reason({ kty, n, e })).toBe(expected)
  })

  it('drops an RSA key above 16384 bits as a CPU trap', async () => {
    const n = Buffer.alloc(2049, 0xff).toString('base64url')
    expect(await reason({ kty: 'RSA', n, e: 'AQAB' })).toBe('invalid_key')
  })

  it('reads only own members of the JWK', async () => {
    const { kty, n, e } = rsa.publicJwk
    const jwk = Object.assign(Object.create({ d: 'AQAB', use: 'enc' }) as object, { kty, n, e })
    expect(await reason(jwk)).toBe('imported')
  })

  it('accepts an RSA key generated at exactly 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    expect(await reason(publicKey.export({ format: 'jwk' }))).toBe('imported')
  })
})
