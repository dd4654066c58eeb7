// Verifier rules: typ under the default policy, the typ option and the RFC 9068 profile
// (RFC 8725 §3.11, RFC 9068 §2.1 and §4).
import { describe, expect, it } from 'vitest'
import { expectInvalidToken, useFixture } from '../helpers.js'

const fx = useFixture()

describe('header policy', () => {
  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', 'jwt', null])(
    'accepts typ %s under the default policy',
    async (typ) => {
      const auth = await fx.verifier().verify(fx.issuer.mint({}, { typ }))
      expect(auth.header.typ).toBe(typ ?? undefined)
    },
  )

  it.each(['dpop+jwt', 'logout+jwt', 'secevent+jwt', 'application/dpop+jwt', 'id_token+jwt'])(
    'rejects typ %s under the default policy',
    async (typ) => {
      await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({}, { typ })), 'invalid_type')
    },
  )

  it('rejects a non-string typ', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { typ: null, header: { typ: 1 } })),
      'invalid_type',
    )
  })

  it('requires the configured typ when the typ option is set', async () => {
    const verifier = fx.verifier({ typ: 'application/at+jwt' })
    await expect(verifier.verify(fx.issuer.mint({}, { typ: 'at+jwt' }))).resolves.toBeDefined()
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { typ: 'JWT' })), 'invalid_type')
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { typ: null })), 'invalid_type')
  })

  describe("profile: 'rfc9068'", () => {
    it('accepts an at+jwt token with iss, exp, aud, sub, client_id, iat and jti', async () => {
      const auth = await fx.verifier({ profile: 'rfc9068' }).verify(fx.issuer.mint())
      expect(auth.header.typ).toBe('at+jwt')
    })

    it.each(['JWT', null])('rejects typ %s', async (typ) => {
      await expectInvalidToken(
        fx.verifier({ profile: 'rfc9068' }).verify(fx.issuer.mint({}, { typ })),
        'invalid_type',
      )
    })

    it.each([
      ['sub', 'invalid_claim'],
      ['client_id', 'invalid_claim'],
      ['iat', 'invalid_claim'],
      ['jti', 'invalid_claim'],
      ['exp', 'invalid_claim'],
      ['aud', 'invalid_audience'],
      ['iss', 'invalid_issuer'],
    ] as const)('rejects a token without %s', async (claim, code) => {
      await expectInvalidToken(
        fx.verifier({ profile: 'rfc9068' }).verify(fx.issuer.mint({ [claim]: undefined })),
        code,
      )
    })

    it('accepts the same token without sub when no profile is set', async () => {
      const auth = await fx.verifier().verify(fx.issuer.mint({ sub: undefined }))
      expect(auth.subject).toBeUndefined()
    })
  })
})
