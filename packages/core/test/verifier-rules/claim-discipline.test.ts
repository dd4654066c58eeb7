// Verifier rules: claims replicated in the JOSE header (RFC 7519 §5.3) and the identifier claims
// of the RFC 9068 profile.
import { describe, expect, it } from 'vitest'
import { MAX_IDENTIFIER_LENGTH } from '../../src/claims.js'
import { expectInvalidToken, useFixture } from '../helpers.js'

const fx = useFixture()
const API = 'https://api.test'

describe('claims replicated in the JOSE header (RFC 7519 §5.3)', () => {
  it('accepts iss, sub and aud in the header when they equal the payload’s', async () => {
    const token = fx.issuer.mint(
      { sub: 'user-1', aud: [API, 'other'] },
      { header: { iss: fx.issuer.issuer, sub: 'user-1', aud: [API, 'other'] } },
    )
    await expect(fx.verifier().verify(token)).resolves.toMatchObject({ subject: 'user-1' })
  })

  it.each([
    ['iss that differs', { sub: 'user-1' }, { iss: 'https://other.test/' }],
    ['sub that differs', { sub: 'user-1' }, { sub: 'admin' }],
    ['sub the payload lacks', { sub: undefined }, { sub: 'user-1' }],
    ['sub of another type', { sub: '1' }, { sub: 1 }],
    ['iss set to null', {}, { iss: null }],
    ['aud naming another audience', { aud: API }, { aud: 'https://other.api' }],
    ['aud as an array where the payload has a string', { aud: API }, { aud: [API] }],
    ['aud with its entries reordered', { aud: [API, 'other'] }, { aud: ['other', API] }],
  ])('rejects a header %s as invalid_claim', async (_, claims, header) => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint(claims, { header })),
      'invalid_claim',
    )
  })
})

describe("identifier claims under profile: 'rfc9068'", () => {
  const rfc9068 = () => fx.verifier({ profile: 'rfc9068' })
  const valid = { sub: 'user-1', client_id: 'client-1', jti: 'token-1' }
  const longest = 'x'.repeat(MAX_IDENTIFIER_LENGTH)

  it('accepts sub, client_id and jti of 1 to 255 characters', async () => {
    await expect(rfc9068().verify(fx.issuer.mint(valid))).resolves.toMatchObject({
      subject: 'user-1',
    })
    const long = { sub: longest, client_id: longest, jti: longest }
    await expect(rfc9068().verify(fx.issuer.mint(long))).resolves.toMatchObject({
      subject: longest,
    })
  })

  it.each(['sub', 'client_id', 'jti'])('rejects an empty %s as invalid_claim', async (name) => {
    await expectInvalidToken(
      rfc9068().verify(fx.issuer.mint({ ...valid, [name]: '' })),
      'invalid_claim',
    )
  })

  it.each(['sub', 'client_id', 'jti'])(
    'rejects a %s of 256 characters as invalid_claim',
    async (name) => {
      await expectInvalidToken(
        rfc9068().verify(fx.issuer.mint({ ...valid, [name]: `${longest}x` })),
        'invalid_claim',
      )
    },
  )

  it('leaves them alone without the profile: an empty sub is a string', async () => {
    await expect(fx.verifier().verify(fx.issuer.mint({ sub: '' }))).resolves.toMatchObject({
      subject: '',
    })
  })
})
