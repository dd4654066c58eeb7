import { TestIssuer, type TestKey } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import type { JwsAlgorithm } from '../src/algorithms.js'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { keyFits, rsaAlgorithmWithoutAlg } from '../src/key-algorithm.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

let rsa: TestKey
let ec: TestKey
let ed: TestKey

beforeAll(async () => {
  const issuer = await TestIssuer.create()
  rsa = issuer.signingKey
  ec = await issuer.addKey({ alg: 'ES256' })
  ed = await issuer.addKey({ alg: 'EdDSA' })
}, SETUP_TIMEOUT_MS)

async function imported(jwk: Record<string, unknown>): Promise<VerificationKey> {
  const result = await importVerificationKey(jwk)
  if (result.key === undefined) throw new Error(result.reason)
  return result.key
}

const EVERY: readonly JwsAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

/** The algorithms `key` verifies, given the issuer's algorithm for alg-less RSA keys. */
const fitting = (key: VerificationKey, rsaAlgorithm: JwsAlgorithm = 'RS256') =>
  EVERY.filter((alg) => keyFits(key, alg, rsaAlgorithm))

describe('rsaAlgorithmWithoutAlg', () => {
  it.each([
    [['RS256', 'PS256', 'ES256'], 'RS256'],
    [['RS384', 'PS256'], 'RS256'],
    [['PS256'], 'PS256'],
    [['PS512', 'ES256', 'EdDSA'], 'PS512'],
    [['RS384'], 'RS384'],
    [['ES256'], 'RS256'],
  ] as const)('is %j → %s', (allowlist, expected) => {
    expect(rsaAlgorithmWithoutAlg(allowlist)).toBe(expected)
  })
})

describe('keyFits: one key, one algorithm', () => {
  it('fits a key whose JWK names an alg to that alg only', async () => {
    expect(fitting(await imported(rsa.publicJwk), 'PS256')).toEqual(['RS256'])
  })

  it("fits an RSA key without alg to the issuer's one RSA algorithm only", async () => {
    const key = await imported({ ...rsa.publicJwk, alg: undefined })
    expect([fitting(key), fitting(key, 'PS384')]).toEqual([['RS256'], ['PS384']])
  })

  it('fits an EC key without alg to the algorithm of its curve only', async () => {
    expect(fitting(await imported({ ...ec.publicJwk, alg: undefined }))).toEqual(['ES256'])
  })

  it('fits an Ed25519 key, with or without alg, to EdDSA under both its names', async () => {
    expect([
      fitting(await imported(ed.publicJwk)),
      fitting(await imported({ ...ed.publicJwk, alg: undefined })),
      fitting(await imported({ ...ed.publicJwk, alg: 'Ed25519' })),
    ]).toEqual([
      ['EdDSA', 'Ed25519'],
      ['EdDSA', 'Ed25519'],
      ['EdDSA', 'Ed25519'],
    ])
  })
})
