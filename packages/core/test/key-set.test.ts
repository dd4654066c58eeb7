import { symmetricJwk, TestIssuer, type TestKey } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildKeySet } from '../src/key-set.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

let issuer: TestIssuer
let rsa: TestKey
let ec: TestKey

beforeAll(async () => {
  issuer = await TestIssuer.create()
  rsa = issuer.signingKey
  ec = await issuer.addKey({ alg: 'ES256' })
}, SETUP_TIMEOUT_MS)

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
