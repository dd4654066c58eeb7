import { selfSignedCertificate, TestIssuer, type TestKey, thumbprintOf } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { admitKeys, type AdmissionPolicy, type AdmitKey } from '../src/key-admission.js'
import type { KeyDescription } from '../src/key-description.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

const ISSUER = 'https://issuer.test/'
let rsa: TestKey
let ec: TestKey
let ed: TestKey

beforeAll(async () => {
  const issuer = await TestIssuer.create({ alg: 'RS256' })
  rsa = issuer.signingKey
  ec = await issuer.addKey({ alg: 'ES384' })
  ed = await issuer.addKey({ alg: 'EdDSA' })
}, SETUP_TIMEOUT_MS)

async function imported(jwk: Record<string, unknown>): Promise<VerificationKey> {
  const result = await importVerificationKey(jwk)
  if (result.key === undefined) throw new Error(result.reason)
  return result.key
}

function policy(options: Partial<AdmissionPolicy>): AdmissionPolicy {
  return { trustedKeys: undefined, admitKey: undefined, timeoutMs: 1000, ...options }
}

const never = () => false

async function verdicts(
  p: AdmissionPolicy,
  keys: VerificationKey[],
  before: (key: VerificationKey) => boolean = never,
) {
  const { admitted, refused } = await admitKeys(p, ISSUER, keys, before)
  return {
    admitted: admitted.map((key) => key.kid),
    refused: refused.map(({ key, reason }) => [key.kid, reason]),
  }
}

describe('trustedKeys', () => {
  it('admits only the keys whose RFC 7638 thumbprint it lists, in published order', async () => {
    const keys = await Promise.all([rsa, ec, ed].map((key) => imported(key.publicJwk)))
    expect(
      await verdicts(policy({ trustedKeys: new Set([thumbprintOf(ed), thumbprintOf(rsa)]) }), keys),
    ).toEqual({ admitted: [rsa.kid, ed.kid], refused: [[ec.kid, 'unmanaged_key']] })
  })
})

describe('admitKey', () => {
  it('receives a frozen public description of each key: kid, thumbprint, kty, crv, bits, alg', async () => {
    const seen: KeyDescription[] = []
    const admitKey: AdmitKey = (key) => {
      seen.push(key)
      return true
    }
    const keys = await Promise.all([rsa, ec, ed].map((key) => imported(key.publicJwk)))
    await admitKeys(policy({ admitKey }), ISSUER, keys, never)
    expect(seen).toEqual([
      {
        issuer: ISSUER,
        kid: rsa.kid,
        thumbprint: thumbprintOf(rsa),
        kty: 'RSA',
        crv: undefined,
        bits: 2048,
        alg: 'RS256',
        x5cSubject: undefined,
      },
      {
        issuer: ISSUER,
        kid: ec.kid,
        thumbprint: thumbprintOf(ec),
        kty: 'EC',
        crv: 'P-384',
        bits: 384,
        alg: 'ES384',
        x5cSubject: undefined,
      },
      {
        issuer: ISSUER,
        kid: ed.kid,
        thumbprint: thumbprintOf(ed),
        kty: 'OKP',
        crv: 'Ed25519',
        bits: 256,
        alg: 'EdDSA',
        x5cSubject: undefined,
      },
    ])
    expect(seen.every((description) => Object.isFrozen(description))).toBe(true)
  })

  it('gives the x5c subject only when the first certificate holds the same public key', async () => {
    const own = selfSignedCertificate(ec.privateKey, ec.publicKey, 'signing key 2030')
    // A real certificate, of another key, attached to this JWK.
    const foreign = selfSignedCertificate(ed.privateKey, ed.publicKey, 'trusted CA')
    const subjects: (string | undefined)[] = []
    const admitKey: AdmitKey = (key) => {
      subjects.push(key.x5cSubject)
      return true
    }
    const keys = [
      await imported({ ...ec.publicJwk, x5c: [own] }),
      await imported({ ...ec.publicJwk, kid: 'foreign', x5c: [foreign] }),
      await imported({ ...ec.publicJwk, kid: 'garbage', x5c: ['bm90IGEgY2VydGlmaWNhdGU'] }),
    ]
    await admitKeys(policy({ admitKey }), ISSUER, keys, never)
    expect(subjects).toEqual(['CN=signing key 2030', undefined, undefined])
  })

  it('admits on true and refuses on false (unmanaged_key), sync or async', async () => {
    const keys = await Promise.all([rsa, ec, ed].map((key) => imported(key.publicJwk)))
    const admitKey: AdmitKey = (key) =>
      key.kty === 'RSA' ? true : key.kty === 'EC' ? Promise.resolve(false) : Promise.resolve(true)
    expect(await verdicts(policy({ admitKey }), keys)).toEqual({
      admitted: [rsa.kid, ed.kid],
      refused: [[ec.kid, 'unmanaged_key']],
    })
  })

  const failing: [string, AdmitKey][] = [
    [
      'throws',
      () => {
        throw new Error('inventory down')
      },
    ],
    ['rejects', () => Promise.reject(new Error('inventory down'))],
    ['answers a truthy non-boolean', (() => 'yes') as unknown as AdmitKey],
    ['answers nothing', (() => undefined) as unknown as AdmitKey],
    ['never answers', () => new Promise<boolean>(() => undefined)],
  ]

  it.each(failing)('refuses a key with admission_failed when the hook %s', async (_, admitKey) => {
    const keys = [await imported(ec.publicJwk)]
    expect(await verdicts(policy({ admitKey, timeoutMs: 50 }), keys)).toEqual({
      admitted: [],
      refused: [[ec.kid, 'admission_failed']],
    })
  })

  it('asks about every key at once, so a fetch waits at most one timeout', async () => {
    const keys = await Promise.all([rsa, ec, ed].map((key) => imported(key.publicJwk)))
    const started = performance.now()
    await admitKeys(
      policy({ admitKey: () => new Promise<boolean>(() => undefined), timeoutMs: 200 }),
      ISSUER,
      keys,
      never,
    )
    expect(performance.now() - started).toBeLessThan(550)
  })

  it('is asked only about keys trustedKeys allows, and never again about a key admitted before', async () => {
    const asked: (string | undefined)[] = []
    const admitKey: AdmitKey = (key) => {
      asked.push(key.kid)
      return false
    }
    const keys = await Promise.all([rsa, ec, ed].map((key) => imported(key.publicJwk)))
    const result = await verdicts(
      policy({ admitKey, trustedKeys: new Set([thumbprintOf(rsa), thumbprintOf(ec)]) }),
      keys,
      (key) => key.kid === rsa.kid,
    )
    expect(asked).toEqual([ec.kid])
    expect(result).toEqual({
      admitted: [rsa.kid],
      refused: [
        [ec.kid, 'unmanaged_key'],
        [ed.kid, 'unmanaged_key'],
      ],
    })
  })
})
