import { symmetricJwk, TestIssuer, type TestKey } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildKeySet, keyFits } from '../src/key-set.js'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

let issuer: TestIssuer
let rsa: TestKey
let ec: TestKey

beforeAll(async () => {
  issuer = await TestIssuer.create()
  rsa = issuer.signingKey
  ec = await issuer.addKey({ alg: 'ES256' })
}, SETUP_TIMEOUT_MS)

async function imported(jwk: Record<string, unknown>): Promise<VerificationKey> {
  const result = await importVerificationKey(jwk)
  if (result.key === undefined) throw new Error(result.reason)
  return result.key
}

describe('buildKeySet', () => {
  it('indexes usable keys by kid and reports each dropped key with its index, kid and reason', async () => {
    const result = await buildKeySet(
      { keys: [symmetricJwk('oct'), rsa.publicJwk, { ...ec.publicJwk, use: 'enc' }, ec.publicJwk] },
      100,
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect([...result.set.byKid.keys()]).toEqual([rsa.kid, ec.kid])
    expect(result.dropped).toEqual([
      { index: 0, kid: 'oct', reason: 'symmetric_key' },
      { index: 2, kid: ec.kid, reason: 'not_for_signing' },
    ])
  })

  it('keeps the first of two keys with one kid and drops the second', async () => {
    const result = await buildKeySet(
      { keys: [rsa.publicJwk, { ...ec.publicJwk, kid: rsa.kid }] },
      100,
    )
    expect(result.ok && result.set.byKid.get(rsa.kid)?.kty).toBe('RSA')
    expect(result.dropped).toEqual([{ index: 1, kid: rsa.kid, reason: 'duplicate_kid' }])
  })

  it('keeps keys without kid in the list but not in the index', async () => {
    const result = await buildKeySet({ keys: [{ ...rsa.publicJwk, kid: undefined }] }, 100)
    expect(result.ok && [result.set.keys.length, result.set.byKid.size]).toEqual([1, 0])
  })

  it('drops keys beyond maxKeys as too_many_keys', async () => {
    const result = await buildKeySet({ keys: [rsa.publicJwk, ec.publicJwk] }, 1)
    expect(result.ok && result.set.keys.length).toBe(1)
    expect(result.dropped).toEqual([{ index: 1, kid: ec.kid, reason: 'too_many_keys' }])
  })

  it.each([
    ['an array', [], 'invalid_shape'],
    ['keys that is not an array', { keys: {} }, 'invalid_shape'],
    ['null', null, 'invalid_shape'],
    ['an empty key list', { keys: [] }, 'empty_key_set'],
    ['only unusable keys', { keys: [symmetricJwk()] }, 'no_usable_keys'],
  ])('fails for %s', async (_, document, error) => {
    const result = await buildKeySet(document, 100)
    expect(result.ok ? 'ok' : result.error).toBe(error)
  })
})

describe('keyFits', () => {
  it('fits an RSA key without alg to every RSA algorithm and nothing else', async () => {
    const key = await imported({ ...rsa.publicJwk, alg: undefined })
    const fits = (['RS256', 'PS512', 'ES256', 'EdDSA'] as const).map((alg) => keyFits(key, alg))
    expect(fits).toEqual([true, true, false, false])
  })

  it('fits a key whose JWK names an alg to that alg only', async () => {
    const key = await imported(rsa.publicJwk)
    expect([keyFits(key, 'RS256'), keyFits(key, 'RS384'), keyFits(key, 'PS256')]).toEqual([
      true,
      false,
      false,
    ])
  })

  it('fits an EC key to the algorithm of its curve only', async () => {
    const key = await imported({ ...ec.publicJwk, alg: undefined })
    expect([keyFits(key, 'ES256'), keyFits(key, 'ES384'), keyFits(key, 'RS256')]).toEqual([
      true,
      false,
      false,
    ])
  })

  it('treats EdDSA and Ed25519 as one scheme for an Ed25519 key', async () => {
    const ed = await issuer.addKey({ alg: 'EdDSA' })
    const key = await imported(ed.publicJwk)
    expect([keyFits(key, 'EdDSA'), keyFits(key, 'Ed25519')]).toEqual([true, true])
  })
})
