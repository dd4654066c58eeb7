// Verifier rules: the compact serialisation (RFC 7515 §7.1), canonical base64url (§2), UTF-8
// JSON objects without duplicate members, and the size cap.
import { describe, expect, it } from 'vitest'
import { expectInvalidToken, segments, signBytes, signSegments, useFixture } from '../helpers.js'

const fx = useFixture()

/** Mints tokens with a growing filler claim until their segments satisfy `wanted`. */
function mintWhere(wanted: (header: string, payload: string) => boolean, filler = 'x'): string {
  for (let length = 0; length < 64; length++) {
    const token = fx.issuer.mint({ filler: filler.repeat(length) })
    const [header, payload] = segments(token)
    if (wanted(header, payload)) return token
  }
  throw new Error('no token with the wanted shape')
}

describe('token syntax', () => {
  it('accepts a token re-signed by the test helper (control for the cases below)', async () => {
    const [header, payload] = segments(fx.issuer.mint())
    const auth = await fx.verifier().verify(signSegments(header, payload, fx.issuer.signingKey))
    expect(auth.kid).toBe(fx.issuer.signingKey.kid)
  })

  it('rejects base64 padding in a segment, even with a valid signature over it', async () => {
    const [header, payload] = segments(mintWhere((_, p) => p.length % 4 === 2))
    const token = signSegments(header, `${payload}==`, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it.each([' ', '\n', '\t'])('rejects whitespace (%j) inside a segment', async (space) => {
    const [header, payload] = segments(fx.issuer.mint())
    const middle = Math.floor(payload.length / 2)
    const spaced = `${payload.slice(0, middle)}${space}${payload.slice(middle)}`
    const token = signSegments(header, spaced, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects the standard base64 alphabet (+ and /) in a segment', async () => {
    const [header, payload] = segments(mintWhere((_, p) => /[-_]/.test(p), '?>~'))
    const standard = payload.replaceAll('-', '+').replaceAll('_', '/')
    const token = signSegments(header, standard, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it.each([2, 3])(
    'rejects non-zero trailing bits in a segment of length 4n+%i',
    async (remainder) => {
      const [header, payload] = segments(mintWhere((_, p) => p.length % 4 === remainder))
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const last = alphabet.indexOf(payload.at(-1)!)
      // The lowest bit of the last character is a pad bit in both cases (RFC 4648 §3.5).
      const altered = payload.slice(0, -1) + alphabet[last | 1]!
      expect(altered).not.toBe(payload)
      expect(Buffer.from(altered, 'base64url')).toEqual(Buffer.from(payload, 'base64url'))
      const token = signSegments(header, altered, fx.issuer.signingKey)
      await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
    },
  )

  it('rejects a byte order mark before the header JSON', async () => {
    const header = { alg: 'RS256', typ: 'at+jwt', kid: fx.issuer.signingKey.kid }
    const token = fx.issuer.mint({}, { rawHeader: `\uFEFF${JSON.stringify(header)}` })
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects a byte order mark before the payload JSON', async () => {
    const token = fx.issuer.mint({}, { rawPayload: `\uFEFF${JSON.stringify(fx.issuer.claims())}` })
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it.each([
    ['header', { rawHeader: '{alg: RS256}' }],
    ['payload', { rawPayload: 'not json' }],
    ['payload', { rawPayload: '' }],
  ])('rejects a %s that is not JSON', async (_, options) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({}, options)), 'malformed_token')
  })

  it.each(['[{"sub":"a"}]', '"claims"', 'null', '42', 'true'])(
    'rejects a payload that is JSON but not an object: %s',
    async (rawPayload) => {
      await expectInvalidToken(
        fx.verifier().verify(fx.issuer.mint({}, { rawPayload })),
        'malformed_token',
      )
    },
  )

  it('rejects a header that is a JSON array', async () => {
    const header = { alg: 'RS256', kid: fx.issuer.signingKey.kid }
    const token = fx.issuer.mint({}, { rawHeader: JSON.stringify([header]) })
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects a header naming alg twice, even when the last value is a good one', async () => {
    const kid = fx.issuer.signingKey.kid
    const rawHeader = `{"alg":"none","typ":"at+jwt","kid":"${kid}","alg":"RS256"}`
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { rawHeader })),
      'malformed_token',
    )
  })

  it('rejects a payload naming sub twice', async () => {
    const rawPayload = `${JSON.stringify(fx.issuer.claims()).slice(0, -1)},"sub":"admin"}`
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { rawPayload })),
      'malformed_token',
    )
  })

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an invalid byte', [0xff]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('rejects a payload with invalid UTF-8: %s', async (_, bytes) => {
    const [header] = segments(fx.issuer.mint())
    const claims = JSON.stringify(fx.issuer.claims()).slice(0, -1)
    const payload = Buffer.concat([
      Buffer.from(`${claims},"name":"`),
      Buffer.from(bytes),
      Buffer.from('"}'),
    ])
    const token = signBytes(Buffer.from(header, 'base64url'), payload, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects invalid UTF-8 in the header', async () => {
    const kid = fx.issuer.signingKey.kid
    const header = Buffer.concat([
      Buffer.from(`{"alg":"RS256","kid":"${kid}","x":"`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ])
    const payload = Buffer.from(JSON.stringify(fx.issuer.claims()))
    const token = signBytes(header, payload, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects a token over the default 8 KiB before fetching any key', async () => {
    const token = fx.issuer.mint({ filler: 'x'.repeat(9000) })
    await expectInvalidToken(fx.verifier().verify(token), 'token_too_large')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it('accepts a token of exactly maxTokenBytes and rejects one byte less of budget', async () => {
    const token = fx.issuer.mint()
    await expect(fx.verifier({ maxTokenBytes: token.length }).verify(token)).resolves.toBeDefined()
    await expectInvalidToken(
      fx.verifier({ maxTokenBytes: token.length - 1 }).verify(token),
      'token_too_large',
    )
  })

  it.each([
    ['two segments', (t: string) => t.slice(0, t.lastIndexOf('.'))],
    ['four segments', (t: string) => `${t}.AAAA`],
    ['five segments (a JWE)', (t: string) => `${t}.AAAA.AAAA`],
    ['an empty header', (t: string) => t.slice(t.indexOf('.'))],
    ['a trailing dot', (t: string) => `${t}.`],
  ])('rejects a token with %s', async (_, reshape) => {
    await expectInvalidToken(fx.verifier().verify(reshape(fx.issuer.mint())), 'malformed_token')
  })

  it.each([undefined, null, 42, {}])('rejects a non-string token (%j)', async (token) => {
    await expectInvalidToken(fx.verifier().verify(token as never), 'malformed_token')
  })
})
