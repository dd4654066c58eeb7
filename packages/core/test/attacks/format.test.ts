// Attack family: token format. Every test sends the token over real HTTP to a protected app and
// asserts status, code, WWW-Authenticate, the RFC 6750 body, and that the handler never ran.
// Each rule's own cases are the verifier rules' (test/verifier-rules/); this file keeps the
// hostile spellings they do not list (CONTRIBUTING.md, test layers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signBytes, signSegments } from './support/forge.js'
import { b64, segments, startScenario, type Scenario } from './support/scenario.js'

describe('attacks: token format', () => {
  let s: Scenario
  beforeAll(async () => {
    s = await startScenario({ alg: 'ES256' })
  })
  afterAll(async () => {
    await s.close()
  })

  const claims = (): string => JSON.stringify(s.issuer.claims())
  const header = (): string =>
    JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: s.issuer.signingKey.kid })

  it('accepts the untouched token (positive control for every attack below)', async () => {
    await s.target.accept(s.issuer.mint())
  })

  describe('segment counts and empty parts', () => {
    it.each([
      ['one segment', (t: string) => segments(t)[0]],
      ['a leading dot', (t: string) => `.${t}`],
      ['two dots in a row', (t: string) => t.replace('.', '..')],
      ['only dots', () => '..'],
      ['an empty payload', (t: string) => `${segments(t)[0]}..${segments(t)[2]}`],
      ['an empty signature', (t: string) => `${segments(t)[0]}.${segments(t)[1]}.`],
    ])('rejects %s as malformed_token', async (_name, shape) => {
      await s.target.reject(shape(s.issuer.mint()), 'malformed_token')
    })

    it('rejects a JWE-shaped five-part token as malformed_token (RFC 7516 §7.1)', async () => {
      const jweHeader = b64(
        JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: s.issuer.signingKey.kid }),
      )
      const parts = [
        jweHeader,
        b64('encrypted-key-bytes'),
        b64('iv-bytes-12'),
        b64(claims()),
        b64('tag-bytes-16'),
      ]
      await s.target.reject(parts.join('.'), 'malformed_token')
    })
  })

  describe('non-canonical base64url (RFC 7515 §2: no padding, no other alphabet)', () => {
    it('rejects = padding on the signature although the bytes are the valid signature', async () => {
      const token = s.issuer.mint()
      // ES256 signatures are 64 bytes: 86 characters, so canonical base64 pads with "==".
      await s.target.reject(`${token}==`, 'malformed_token')
    })

    it('rejects + and / (standard base64) in the signature', async () => {
      const [h, p, sig] = segments(s.issuer.mint())
      const standard = Buffer.from(sig, 'base64url').toString('base64').replace(/=+$/, '')
      const mangled = /[+/]/.test(standard) ? standard : `${standard.slice(0, -1)}+`
      await s.target.reject(`${h}.${p}.${mangled}`, 'malformed_token')
    })

    it('rejects a header with non-zero pad bits even when the signature covers that exact text', async () => {
      const headerSegment = b64(header())
      // The last character carries pad bits unless the length is a multiple of 4 characters.
      const padded = headerSegment.length % 4 === 0 ? b64(`${header()} `) : headerSegment
      const last = padded.at(-1) ?? 'A'
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'B'
      const nonCanonical = `${padded.slice(0, -1)}${sibling}`
      // Same bytes, different text: exactly what a lenient decoder would let through.
      expect(Buffer.from(nonCanonical, 'base64url')).toEqual(Buffer.from(padded, 'base64url'))
      await s.target.reject(
        signSegments(nonCanonical, b64(claims()), s.issuer.signingKey),
        'malformed_token',
      )
    })
  })

  describe('encodings (RFC 7515 §4 and RFC 7519 §7.2: UTF-8 JSON)', () => {
    it.each([
      [
        'UTF-16LE JSON with a BOM',
        () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(claims(), 'utf16le')]),
      ],
      ['UTF-16LE JSON without a BOM', () => Buffer.from(claims(), 'utf16le')],
      ['UTF-16BE JSON', () => Buffer.from(claims(), 'utf16le').swap16()],
    ])('rejects %s, validly signed, as malformed_token', async (_name, payload) => {
      await s.target.reject(
        signBytes(Buffer.from(header()), payload(), s.issuer.signingKey),
        'malformed_token',
      )
    })
  })

  describe('JSON that is not an object, or not JSON (RFC 8259)', () => {
    it.each([
      ['single-quoted strings', () => claims().replaceAll('"', "'")],
      ['a trailing comma', () => claims().replace(/}$/, ',}')],
      ['a comment', () => claims().replace(/^{/, '{/* admin */')],
      ['unquoted member names', () => claims().replace(/"(\w+)":/g, '$1:')],
      ['NaN', () => claims().replace(/}$/, ',"n":NaN}')],
      ['a hex number', () => claims().replace(/"exp":\d+/, '"exp":0x7fffffff')],
      ['a leading plus', () => claims().replace(/"exp":(\d+)/, '"exp":+$1')],
      ['trailing garbage', () => `${claims()}x`],
      ['two objects', () => `${claims()}${claims()}`],
      ['a raw control character in a string', () => claims().replace(/}$/, ',"x":"a\u0001b"}')],
    ])('rejects a validly signed payload that is %s as malformed_token', async (_name, payload) => {
      await s.target.reject(
        signSegments(b64(header()), b64(payload()), s.issuer.signingKey),
        'malformed_token',
      )
    })

    it('rejects a validly signed header that is a string as malformed_token', async () => {
      await s.target.reject(
        signSegments(b64('"ES256"'), b64(claims()), s.issuer.signingKey),
        'malformed_token',
      )
    })
  })

  describe('opaque strings', () => {
    it.each([
      ['a random hex string', 'a3f9c1e07b5d42e8a3f9c1e07b5d42e8'],
      ['a UUID', '0b3c6a7e-3f0a-4c5e-9a3b-2f6c1d7e8f90'],
      ['the word null', 'null'],
      ['the word undefined', 'undefined'],
      ['an opaque reference token', 'ory_at_k2l3mWqZ9xV8b7N6c5D4e3F2g1H0'],
      ['three dots of garbage', 'abc.def.ghi'],
      ['base64url junk segments', 'AAAA.AAAA.AAAA'],
    ])('rejects %s as malformed_token', async (_name, token) => {
      await s.target.reject(token, 'malformed_token')
    })
  })
})
