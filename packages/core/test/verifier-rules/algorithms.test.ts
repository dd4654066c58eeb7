// Verifier rules: the algorithm allowlist, alg/key agreement and key selection without a kid
// (RFC 8725 §3.1).
import { startJwksServer, TestIssuer, type JwksServer, type TestKey } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type Verifier } from '../../src/verifier.js'
import { expectInvalidToken, SETUP_TIMEOUT_MS, useFixture } from '../helpers.js'

const fx = useFixture()

describe('algorithms', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'rejects alg %s with a signature before fetching any key',
    async (alg) => {
      await expectInvalidToken(
        fx.verifier().verify(fx.issuer.mint({}, { alg })),
        'algorithm_not_allowed',
      )
      expect(fx.server.jwksRequests).toBe(0)
    },
  )

  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'rejects alg %s with an empty signature before fetching any key',
    async (alg) => {
      const token = fx.issuer.mint({}, { alg, kid: null, signature: 'none-empty' })
      expect(token.endsWith('.')).toBe(true)
      await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
      expect(fx.server.jwksRequests).toBe(0)
    },
  )

  it.each([
    ['an SPKI PEM', () => fx.issuer.signingKey.publicKey.export({ type: 'spki', format: 'pem' })],
    ['a PKCS#1 PEM', () => fx.issuer.signingKey.publicKey.export({ type: 'pkcs1', format: 'pem' })],
    ['JWK JSON text', () => JSON.stringify(fx.issuer.signingKey.publicJwk)],
  ])('rejects HS256 keyed with the RSA public key as %s', async (_, secret) => {
    const token = fx.issuer.mint({}, { alg: 'HS256', hmacSecret: secret() })
    await expectInvalidToken(fx.verifier().verify(token), 'algorithm_not_allowed')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it('rejects an allowed-by-default algorithm missing from the configured allowlist', async () => {
    await expectInvalidToken(
      fx.verifier({ algorithms: ['ES256'] }).verify(fx.issuer.mint()),
      'algorithm_not_allowed',
    )
  })

  it('rejects an RS256 token signed by a key whose JWK names alg RS384', async () => {
    const key = await fx.issuer.addKey({ alg: 'RS384' })
    const verifier = fx.verifier()
    // Control: the key verifies its own algorithm.
    await expect(verifier.verify(fx.issuer.mint({}, { key }))).resolves.toBeDefined()
    await expectInvalidToken(
      verifier.verify(fx.issuer.mint({}, { key, alg: 'RS256', signWith: 'RS256' })),
      'invalid_signature',
    )
  })

  // Forged signatures (psychic ECDSA, DER, all-zero EdDSA, attacker keys under a copied kid) are
  // the attack suite's (attacks/signature.test.ts); this is the plain rule.
  it('rejects an all-zero RS256 signature', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { signature: 'zeros' })),
      'invalid_signature',
    )
  })

  describe('tokens without kid', () => {
    let signer: TestIssuer
    let server: JwksServer
    let verifier: Verifier
    let rsa: TestKey
    let ec: TestKey
    let rs384: TestKey

    beforeAll(async () => {
      signer = await TestIssuer.create({ issuer: fx.issuer.issuer, audience: fx.issuer.audience })
      rsa = await signer.addKey({ alg: 'RS256', publish: false })
      ec = await signer.addKey({ alg: 'ES256', publish: false })
      rs384 = await signer.addKey({ alg: 'RS384', publish: false })
      const withoutKid = (key: TestKey): Record<string, unknown> => ({
        ...key.publicJwk,
        kid: undefined,
      })
      server = await startJwksServer({
        jwks: () => ({ keys: [rsa, ec, rs384].map(withoutKid) }),
      })
      verifier = createVerifier({
        issuer: signer.issuer,
        audience: signer.audience,
        jwksUri: server.url,
      })
    }, SETUP_TIMEOUT_MS)

    afterAll(async () => {
      verifier.close()
      await server.close()
    })

    it.each(['RS256', 'ES256'] as const)(
      'verifies a %s token against the key of its family',
      async (alg) => {
        const key = alg === 'RS256' ? rsa : ec
        const auth = await verifier.verify(signer.mint({}, { key, kid: null }))
        expect({ kid: auth.kid, alg: auth.header.alg }).toEqual({ kid: undefined, alg })
      },
    )

    it('never tries an RS256 token against a key whose JWK names RS384', async () => {
      const token = signer.mint({}, { key: rs384, kid: null, alg: 'RS256', signWith: 'RS256' })
      await expectInvalidToken(verifier.verify(token), 'invalid_signature')
    })

    it('rejects an ES384 token as unknown_key when no published key fits ES384', async () => {
      const p384 = await signer.addKey({ alg: 'ES384', publish: false })
      await expectInvalidToken(
        verifier.verify(signer.mint({}, { key: p384, kid: null })),
        'unknown_key',
      )
    })
  })
})
