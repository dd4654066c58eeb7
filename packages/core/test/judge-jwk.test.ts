import { createHash } from 'node:crypto'
import {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  symmetricJwk,
  TestIssuer,
  weakRsaJwk,
} from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { judgeJwk, judgeJwks } from '../src/index.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

let issuer: TestIssuer

beforeAll(async () => {
  issuer = await TestIssuer.create()
  await issuer.addKey({ alg: 'ES256', kid: 'ec-1' })
}, SETUP_TIMEOUT_MS)

/** RFC 7638 §3: SHA-256 over the required members, sorted, without whitespace. */
function rfc7638(members: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(members).sort(([a], [b]) => (a < b ? -1 : 1)))
  return createHash('sha256').update(JSON.stringify(sorted)).digest('base64url')
}

describe('judgeJwk', () => {
  it('keeps a public RSA signing key and reports its size, exponent and thumbprint', async () => {
    const jwk = issuer.signingKey.publicJwk
    const judged = await judgeJwk(jwk)
    expect(judged).toEqual({
      kept: true,
      reason: undefined,
      kid: issuer.signingKey.kid,
      kty: 'RSA',
      crv: undefined,
      alg: 'RS256',
      use: 'sig',
      keyOps: undefined,
      privateMembers: [],
      rsaModulusBits: 2048,
      rsaExponent: '65537',
      rsaExponentBits: 17,
      thumbprint: rfc7638({ e: jwk.e, kty: 'RSA', n: jwk.n }),
      hasCertificateChain: false,
    })
  })

  it('gives an EC key the thumbprint of its crv, kty, x and y', async () => {
    const jwk = issuer.jwks().keys[1]!
    const judged = await judgeJwk(jwk)
    expect(judged).toMatchObject({ kept: true, kty: 'EC', crv: 'P-256', rsaModulusBits: undefined })
    expect(judged.thumbprint).toBe(rfc7638({ crv: 'P-256', kty: 'EC', x: jwk.x, y: jwk.y }))
  })

  it('drops keys for the reasons the key source gives', async () => {
    const judged = await Promise.all([
      judgeJwk(await weakRsaJwk(1024)),
      judgeJwk(await rsaJwkWithExponent(1)),
      judgeJwk(await privateJwk('ES256')),
      judgeJwk(symmetricJwk()),
      judgeJwk(await encryptionJwk()),
      judgeJwk('not a key'),
    ])
    expect(judged.map((key) => key.reason)).toEqual([
      'weak_rsa_key',
      'weak_rsa_exponent',
      'private_key',
      'symmetric_key',
      'not_for_signing',
      'not_an_object',
    ])
    expect(judged[0].rsaModulusBits).toBe(1024)
    expect(judged[1]).toMatchObject({ rsaExponent: '1', rsaExponentBits: 1 })
    expect(judged[2].privateMembers).toEqual(['d'])
    expect(judged.every((key) => !key.kept)).toBe(true)
  })

  it('gives a private JWK the thumbprint of its public half, and a symmetric key none', async () => {
    const leaked = await privateJwk('ES256')
    const publicHalf = Object.fromEntries(Object.entries(leaked).filter(([name]) => name !== 'd'))
    expect((await judgeJwk(leaked)).thumbprint).toBe((await judgeJwk(publicHalf)).thumbprint)
    expect((await judgeJwk(symmetricJwk())).thumbprint).toBeUndefined()
  })

  it('reports the length of an exponent too large to print', async () => {
    const judged = await judgeJwk(await rsaJwkWithExponent(2n ** 100n + 1n))
    expect(judged).toMatchObject({
      reason: 'rsa_exponent_too_large',
      rsaExponent: undefined,
      rsaExponentBits: 101,
    })
  })
})

describe('judgeJwks', () => {
  it('drops a second key under a kid already used, as the key source does', async () => {
    const [first, second] = issuer.jwks().keys
    const { failure, keys } = await judgeJwks({ keys: [first, { ...second, kid: first?.kid }] })
    expect(failure).toBeUndefined()
    expect(keys.map((key) => [key.kept, key.reason])).toEqual([
      [true, undefined],
      [false, 'duplicate_kid'],
    ])
  })

  it('drops keys past maxKeys', async () => {
    const { keys } = await judgeJwks(issuer.jwks(), { maxKeys: 1 })
    expect(keys.map((key) => key.reason)).toEqual([undefined, 'too_many_keys'])
  })

  it('says why the key source would refuse the whole document', async () => {
    expect((await judgeJwks({ keys: [] })).failure).toBe('empty_key_set')
    expect((await judgeJwks({ jwks: [] })).failure).toBe('invalid_shape')
    expect((await judgeJwks({ keys: [symmetricJwk()] })).failure).toBe('no_usable_keys')
  })
})
