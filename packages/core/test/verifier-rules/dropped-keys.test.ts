// Verifier rules: JWKS entries that are dropped (private, symmetric, weak, unsupported), each
// named in a jwks_key_dropped event, while the good keys keep working.
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import {
  startJwksServer,
  symmetricJwk,
  TestIssuer,
  type JwksServer,
  type TestAlgorithm,
  type TestKey,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeywardEvent } from '../../src/events.js'
import { createVerifier, type Verifier } from '../../src/verifier.js'
import { encodeJson, expectInvalidToken, segments, SETUP_TIMEOUT_MS } from '../helpers.js'

describe('keys dropped from the JWKS', () => {
  let signer: TestIssuer
  let server: JwksServer
  let hostile: Record<string, unknown> = {}
  const events: KeywardEvent[] = []
  const verifiers: Verifier[] = []

  beforeAll(async () => {
    signer = await TestIssuer.create()
    server = await startJwksServer({ jwks: () => ({ keys: [hostile, ...signer.jwks().keys] }) })
  }, SETUP_TIMEOUT_MS)

  afterAll(async () => {
    for (const verifier of verifiers) verifier.close()
    await server.close()
  })

  function verifierFor(): Verifier {
    events.length = 0
    const verifier = createVerifier({
      issuer: signer.issuer,
      audience: signer.audience,
      jwksUri: server.url,
      onEvent: (event) => events.push(event),
    })
    verifiers.push(verifier)
    return verifier
  }

  /** A TestKey whose published JWK a test replaces with a hostile variant. */
  async function unpublished(alg: TestAlgorithm = 'RS256'): Promise<TestKey> {
    return signer.addKey({ alg, publish: false })
  }

  function rsaKey(bits: number): TestKey {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
    const kid = `rsa-${bits}`
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
    return { kid, alg: 'RS256', privateKey, publicKey, publicJwk }
  }

  /**
   * With e = 1 the RSA "public operation" is the identity, so the EMSA-PKCS1-v1_5 encoding of
   * the hash is itself a valid signature (RFC 8017 §9.2): a forgery needing no private key.
   */
  function forgeForExponentOne(kid: string, modulusBytes: number): string {
    const header = encodeJson({ alg: 'RS256', typ: 'at+jwt', kid })
    const payload = encodeJson(signer.claims())
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(`${header}.${payload}`).digest(),
    ])
    const padding = Buffer.alloc(modulusBytes - digestInfo.length - 3, 0xff)
    const encoded = Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo])
    return `${header}.${payload}.${encoded.toString('base64url')}`
  }

  type Case = () => Promise<{ jwk: Record<string, unknown>; token: string }>
  const cases: [string, string, Case][] = [
    [
      'a private RSA key',
      'private_key',
      async () => {
        const key = await unpublished()
        const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, use: 'sig' }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a private EC key',
      'private_key',
      async () => {
        const key = await unpublished('ES256')
        const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a symmetric oct key',
      'symmetric_key',
      async () => {
        const key = await unpublished()
        return { jwk: symmetricJwk(key.kid), token: signer.mint({}, { key }) }
      },
    ],
    [
      'a key with use: enc',
      'not_for_signing',
      async () => {
        const key = await unpublished()
        return { jwk: { ...key.publicJwk, use: 'enc' }, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a key whose key_ops lack verify',
      'no_verify_operation',
      async () => {
        const key = await unpublished()
        const jwk = { ...key.publicJwk, key_ops: ['encrypt'] }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a 1024-bit RSA key',
      'weak_rsa_key',
      () => {
        const key = rsaKey(1024)
        return Promise.resolve({ jwk: key.publicJwk, token: signer.mint({}, { key }) })
      },
    ],
    [
      'an RSA key with e = 1 (and a forged signature)',
      'weak_rsa_exponent',
      async () => {
        const key = await unpublished()
        const jwk = { ...key.publicJwk, e: 'AQ' }
        return { jwk, token: forgeForExponentOne(key.kid, 256) }
      },
    ],
    [
      'an RSA key with an even exponent',
      'weak_rsa_exponent',
      async () => {
        const key = await unpublished()
        // 65536: even, so not invertible, whatever the modulus.
        return { jwk: { ...key.publicJwk, e: 'AQAA' }, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a small-order Ed25519 key (and a forged signature)',
      'small_order_key',
      () => {
        // The identity point: [k]A vanishes, so R = identity with S = 0 verifies any message.
        const identity = Buffer.from(`01${'00'.repeat(31)}`, 'hex')
        const kid = 'ed-identity'
        const jwk = { kty: 'OKP', crv: 'Ed25519', x: identity.toString('base64url'), kid }
        const header = encodeJson({ alg: 'EdDSA', typ: 'at+jwt', kid })
        const payload = encodeJson(signer.claims())
        const signature = Buffer.concat([identity, Buffer.alloc(32)]).toString('base64url')
        return Promise.resolve({ jwk, token: `${header}.${payload}.${signature}` })
      },
    ],
    [
      'a key of unknown kty',
      'unsupported_key_type',
      async () => {
        const key = await unpublished()
        const jwk = { kty: 'RSA-HSM', kid: key.kid, n: key.publicJwk.n, e: key.publicJwk.e }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'an EC key on an unsupported curve',
      'unsupported_curve',
      async () => {
        const key = await unpublished('ES256')
        const jwk = { ...key.publicJwk, crv: 'secp256k1', alg: undefined }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'an OKP key on an unsupported curve',
      'unsupported_curve',
      async () => {
        const key = await unpublished('EdDSA')
        const jwk = { ...key.publicJwk, crv: 'Ed448' }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
  ]

  it.each(cases)(
    'drops %s: its token is rejected, the event names kid and %s, and a good key still works',
    async (_, reason, build) => {
      const { jwk, token } = await build()
      hostile = jwk
      const verifier = verifierFor()
      const good = await verifier.verify(signer.mint())
      expect(good.kid).toBe(signer.signingKey.kid)
      await expectInvalidToken(verifier.verify(token), 'unknown_key')
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'jwks_key_dropped', kid: jwk.kid, index: 0, reason }),
      )
    },
  )

  it('proves the e = 1 forgery is real: the same key, unvalidated, would accept it', async () => {
    const key = await unpublished()
    const token = forgeForExponentOne(key.kid, 256)
    const [header, payload, signature] = segments(token)
    const weak = createPublicKey({
      key: { kty: 'RSA', n: key.publicJwk.n as string, e: 'AQ' },
      format: 'jwk',
    })
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        weak,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true)
  })

  it('rejects an HS256 token signed with the secret of a published oct key', async () => {
    const jwk = symmetricJwk('oct-1')
    hostile = jwk
    const token = signer.mint(
      {},
      { alg: 'HS256', kid: 'oct-1', hmacSecret: Buffer.from(jwk.k as string, 'base64url') },
    )
    await expectInvalidToken(verifierFor().verify(token), 'algorithm_not_allowed')
  })
})
