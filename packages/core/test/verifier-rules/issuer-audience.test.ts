// Verifier rules: iss and aud compared exactly (RFC 7519 §4.1.1 and §4.1.3), required claims
// and string-typed identity claims.
import { describe, expect, it } from 'vitest'
import { expectInvalidToken, useFixture } from '../helpers.js'

const fx = useFixture()

describe('issuer and audience', () => {
  it('rejects a token whose iss has a trailing slash the configuration lacks, without a fetch', async () => {
    const verifier = fx.verifier({ issuer: 'https://issuer.test' })
    await expectInvalidToken(verifier.verify(fx.issuer.mint()), 'invalid_issuer')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it.each(['https://issuer.test', 'https://ISSUER.test/', 'https://issuer.test//', 42])(
    'rejects iss %j for the configured https://issuer.test/',
    async (iss) => {
      await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({ iss })), 'invalid_issuer')
    },
  )

  it('rejects a token without iss', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ iss: undefined })),
      'invalid_issuer',
    )
  })

  it.each([
    ['another audience', 'https://other.test'],
    ['an audience differing by a trailing slash', 'https://api.test/'],
    ['an array without the audience', ['https://other.test']],
    ['an array with a non-string', ['https://api.test', 7]],
    ['an empty array', []],
    ['null', null],
    ['a number', 1],
  ])('rejects aud as %s', async (_, aud) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({ aud })), 'invalid_audience')
  })

  it('rejects a token without aud', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ aud: undefined })),
      'invalid_audience',
    )
  })

  it('accepts a token without aud when audience is explicitly null', async () => {
    const auth = await fx.verifier({ audience: null }).verify(fx.issuer.mint({ aud: undefined }))
    expect(auth.audience).toEqual([])
  })

  it('still rejects an aud array with a non-string when audience is null', async () => {
    await expectInvalidToken(
      fx.verifier({ audience: null }).verify(fx.issuer.mint({ aud: ['x', 1] })),
      'invalid_audience',
    )
  })

  it.each([undefined, null])('rejects a required claim that is %s', async (value) => {
    await expectInvalidToken(
      fx.verifier({ requiredClaims: ['tenant'] }).verify(fx.issuer.mint({ tenant: value })),
      'invalid_claim',
    )
  })

  it('accepts a token carrying every required claim', async () => {
    const auth = await fx
      .verifier({ requiredClaims: ['tenant'] })
      .verify(fx.issuer.mint({ tenant: 'acme' }))
    expect(auth.claims.tenant).toBe('acme')
  })

  it.each(['sub', 'client_id', 'azp', 'jti'])('rejects a non-string %s', async (claim) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({ [claim]: 1 })), 'invalid_claim')
  })
})
