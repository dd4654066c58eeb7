import { constants, sign } from 'node:crypto'
import { TestIssuer, testAlgorithms, type TestAlgorithm, type TestKey } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { verifySignature } from '../src/signature.js'
import { signSegments, segments, SETUP_TIMEOUT_MS } from './helpers.js'

const keys = new Map<TestAlgorithm, { test: TestKey; key: VerificationKey }>()
const INPUT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0'

beforeAll(async () => {
  const issuer = await TestIssuer.create()
  for (const alg of testAlgorithms) {
    const test = await issuer.addKey({ alg, publish: false })
    const result = await importVerificationKey(test.publicJwk)
    keys.set(alg, { test, key: result.key! })
  }
}, SETUP_TIMEOUT_MS)

function signed(alg: TestAlgorithm): Buffer {
  const [header, payload] = INPUT.split('.')
  return Buffer.from(segments(signSegments(header!, payload!, keys.get(alg)!.test))[2], 'base64url')
}

describe('verifySignature', () => {
  it.each(testAlgorithms)('verifies a valid %s signature', (alg) => {
    expect(verifySignature(keys.get(alg)!.key, alg, INPUT, signed(alg))).toBe(true)
  })

  it.each(testAlgorithms)('rejects a %s signature over other input', (alg) => {
    expect(verifySignature(keys.get(alg)!.key, alg, `${INPUT}x`, signed(alg))).toBe(false)
  })

  it.each(testAlgorithms)('rejects an all-zero %s signature', (alg) => {
    const zeros = Buffer.alloc(signed(alg).length)
    expect(verifySignature(keys.get(alg)!.key, alg, INPUT, zeros)).toBe(false)
  })

  it.each(['ES256', 'ES384', 'ES512'] as const)('rejects a DER-encoded %s signature', (alg) => {
    const hash = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg]
    const der = sign(hash, Buffer.from(INPUT), {
      key: keys.get(alg)!.test.privateKey,
      dsaEncoding: 'der',
    })
    expect(verifySignature(keys.get(alg)!.key, alg, INPUT, der)).toBe(false)
  })

  it.each(['ES256', 'EdDSA'] as const)('rejects a %s signature with an extra byte', (alg) => {
    const longer = Buffer.concat([signed(alg), Buffer.from([0])])
    expect(verifySignature(keys.get(alg)!.key, alg, INPUT, longer)).toBe(false)
  })

  it('rejects a PS256 signature with a salt length other than the hash size', () => {
    const signature = sign('sha256', Buffer.from(INPUT), {
      key: keys.get('PS256')!.test.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
    })
    expect(verifySignature(keys.get('PS256')!.key, 'PS256', INPUT, signature)).toBe(false)
  })

  it('rejects an RS256 signature checked as RS384 and a PKCS#1 signature checked as PS256', () => {
    const rs256 = signed('RS256')
    const key = keys.get('RS256')!.key
    expect([
      verifySignature(key, 'RS384', INPUT, rs256),
      verifySignature(key, 'PS256', INPUT, rs256),
    ]).toEqual([false, false])
  })

  it('returns false instead of throwing for a key of the wrong type', () => {
    expect(verifySignature(keys.get('RS256')!.key, 'ES256', INPUT, Buffer.alloc(64))).toBe(false)
  })
})
