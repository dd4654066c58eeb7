// Verifier rules: a token without kid never fans out over the key set, and a key verifies one
// algorithm (RFC 8725 §3.1, RFC 7517 §4.4, RFC 7515 §4.1.4). The one-candidate case without kid
// is in algorithms.test.ts.
import { startJwksServer, TestIssuer, type JwksServer, type TestKey } from '@keyward/test-utils'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { JwsAlgorithm } from '../../src/algorithms.js'
import { createVerifier, type Verifier } from '../../src/index.js'
import { expectInvalidToken, rejectionOf, SETUP_TIMEOUT_MS } from '../helpers.js'

let signer: TestIssuer
let rsaA: TestKey
let rsaB: TestKey
let ec: TestKey
let ps: TestKey
let ed: TestKey
let server: JwksServer
/** The JWKS the server publishes. */
let published: Record<string, unknown>[] = []
const verifiers: Verifier[] = []

beforeAll(async () => {
  signer = await TestIssuer.create()
  rsaA = signer.signingKey
  rsaB = await signer.addKey({ alg: 'RS256', publish: false })
  ec = await signer.addKey({ alg: 'ES256', publish: false })
  ps = await signer.addKey({ alg: 'PS256', publish: false })
  ed = await signer.addKey({ alg: 'EdDSA', publish: false })
  server = await startJwksServer({ jwks: () => ({ keys: published }) })
}, SETUP_TIMEOUT_MS)

afterAll(async () => {
  await server.close()
})

beforeEach(() => {
  server.reset()
})

afterEach(() => {
  for (const verifier of verifiers.splice(0)) verifier.close()
})

async function verifierFor(
  keys: Record<string, unknown>[],
  algorithms?: JwsAlgorithm[],
): Promise<Verifier> {
  published = keys
  const verifier = createVerifier({
    issuer: signer.issuer,
    audience: signer.audience,
    jwksUri: server.url,
    ...(algorithms === undefined ? {} : { algorithms }),
  })
  verifiers.push(verifier)
  await verifier.warmup()
  return verifier
}

const withoutAlg = (key: TestKey): Record<string, unknown> => ({ ...key.publicJwk, alg: undefined })

describe('a token without kid', () => {
  it('is unknown_key when two published keys could verify its algorithm, even if one signed it', async () => {
    const verifier = await verifierFor([rsaA, rsaB, ec].map((key) => key.publicJwk))
    await expectInvalidToken(
      verifier.verify(signer.mint({}, { key: rsaA, kid: null })),
      'unknown_key',
    )
    // No signature check and no refresh: the answer costs neither CPU nor network.
    expect(server.jwksRequests).toBe(1)
  })

  it("counts an RSA key without alg as a candidate for the issuer's one RSA algorithm", async () => {
    const verifier = await verifierFor([rsaA.publicJwk, withoutAlg(rsaB)])
    await expectInvalidToken(
      verifier.verify(signer.mint({}, { key: rsaB, kid: null })),
      'unknown_key',
    )
  })

  it('is invalid_signature when the one candidate does not verify it, after one rate-limited refresh', async () => {
    const verifier = await verifierFor([rsaA.publicJwk, ec.publicJwk])
    const forged = signer.mint({}, { key: rsaA, kid: null, signature: 'zeros' })
    await expectInvalidToken(verifier.verify(forged), 'invalid_signature')
    await expectInvalidToken(verifier.verify(forged), 'invalid_signature')
    expect(server.jwksRequests).toBe(2)
  })
})

describe('one key, one algorithm', () => {
  it('verifies RS256 only with an RSA key whose JWK names no alg', async () => {
    const verifier = await verifierFor([withoutAlg(rsaA)])
    await expect(verifier.verify(signer.mint({}, { key: rsaA }))).resolves.toMatchObject({
      kid: rsaA.kid,
    })
    const pss = signer.mint({}, { key: rsaA, alg: 'PS256', signWith: 'PS256' })
    await expectInvalidToken(verifier.verify(pss), 'invalid_signature')
  })

  it("verifies the issuer's only RSA algorithm with such a key, and nothing else", async () => {
    const verifier = await verifierFor([withoutAlg(ps)], ['PS256', 'ES256'])
    await expect(verifier.verify(signer.mint({}, { key: ps }))).resolves.toMatchObject({
      kid: ps.kid,
    })
    const rs = signer.mint({}, { key: ps, alg: 'RS256', signWith: 'RS256' })
    const error = await rejectionOf(verifier.verify(rs))
    expect(error.code).toBe('algorithm_not_allowed')
  })

  it('falls back to RS256 when the allowlist names several RSA algorithms', async () => {
    const verifier = await verifierFor([withoutAlg(ps)], ['RS256', 'PS256'])
    await expectInvalidToken(verifier.verify(signer.mint({}, { key: ps })), 'invalid_signature')
    const rs = signer.mint({}, { key: ps, alg: 'RS256', signWith: 'RS256' })
    await expect(verifier.verify(rs)).resolves.toMatchObject({ kid: ps.kid })
  })

  it('verifies EdDSA under both its names with an Ed25519 key whose JWK names no alg', async () => {
    const verifier = await verifierFor([withoutAlg(ed)])
    for (const alg of ['EdDSA', 'Ed25519']) {
      await expect(
        verifier.verify(signer.mint({}, { key: ed, alg, signWith: 'EdDSA' })),
        alg,
      ).resolves.toMatchObject({ kid: ed.kid })
    }
  })
})
