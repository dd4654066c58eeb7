// Verifier rules: header members that are never honoured or always refused: embedded keys and
// key URLs (RFC 8725 §3.10), crit (RFC 7515 §4.1.11), b64 (RFC 7797), cty, a non-string kid.
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { expectInvalidToken, SETUP_TIMEOUT_MS, useFixture } from '../helpers.js'
import { T } from './support.js'

const fx = useFixture()

describe('header policy', () => {
  let attacker: TestIssuer
  let attackerServer: JwksServer

  beforeAll(async () => {
    attacker = await TestIssuer.create({ issuer: fx.issuer.issuer, audience: fx.issuer.audience })
    attackerServer = await startJwksServer({ issuer: attacker })
  }, SETUP_TIMEOUT_MS)

  afterAll(async () => {
    await attackerServer.close()
  })

  beforeEach(() => {
    attackerServer.reset()
  })

  it.each([
    ['jwk', () => attacker.signingKey.publicJwk],
    ['jku', () => attackerServer.url],
    ['x5u', () => `${attackerServer.origin}/cert.pem`],
  ])(
    'ignores an embedded %s header: the attacker-signed token fails against the configured keys',
    async (member, value) => {
      const verifier = fx.verifier()
      await verifier.warmup()
      fx.server.reset()
      const token = attacker.mint(
        {},
        { kid: fx.issuer.signingKey.kid, header: { [member]: value() } },
      )
      await expectInvalidToken(verifier.verify(token), 'invalid_signature')
      expect(fx.server.jwksRequests).toBe(0)
      expect(attackerServer.requests).toHaveLength(0)
    },
  )

  it('never fetches a jku even when the kid exists only at that URL', async () => {
    const verifier = fx.verifier()
    await verifier.warmup()
    fx.server.reset()
    const token = attacker.mint({}, { header: { jku: attackerServer.url } })
    await expectInvalidToken(verifier.verify(token), 'unknown_key')
    // The one allowed unknown-kid refresh goes to the configured JWKS, never to the header's URL.
    expect(fx.server.jwksRequests).toBe(1)
    expect(attackerServer.requests).toHaveLength(0)
  })

  it('rejects a crit header, whatever it names', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { header: { crit: ['exp'], exp: T } })),
      'malformed_token',
    )
  })

  it('rejects an unencoded payload (b64: false)', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { header: { b64: false } })),
      'malformed_token',
    )
  })

  it.each(['JWT', 'jwt', 'application/JWT'])('rejects a nested token (cty: %s)', async (cty) => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { header: { cty } })),
      'invalid_type',
    )
  })

  it.each([123, null, ['kid'], { id: 'kid' }])('rejects a non-string kid (%j)', async (kid) => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { kid: null, header: { kid } })),
      'malformed_token',
    )
  })
})
