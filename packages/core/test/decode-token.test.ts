import { describe, expect, it } from 'vitest'
import { BoundedMemo } from '../src/bounded-memo.js'
import { decodeToken } from '../src/decode-token.js'
import { encodeJson } from './helpers.js'

const HEADER = encodeJson({ alg: 'RS256', kid: 'k1' })
const PAYLOAD = encodeJson({ iss: 'https://issuer.test/', sub: 'a' })
const SIGNATURE = Buffer.from('signature').toString('base64url')
const TOKEN = `${HEADER}.${PAYLOAD}.${SIGNATURE}`

function failure(token: string, maxTokenBytes = 8192): string {
  try {
    decodeToken(token, maxTokenBytes)
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'none'
}

describe('decodeToken', () => {
  it('splits a compact JWS into header, claims, signing input and signature bytes', () => {
    const decoded = decodeToken(TOKEN, 8192)
    expect({ ...decoded, header: { ...decoded.header }, claims: { ...decoded.claims } }).toEqual({
      header: { alg: 'RS256', kid: 'k1' },
      headerSegment: HEADER,
      headerKnown: false,
      claims: { iss: 'https://issuer.test/', sub: 'a' },
      signingInput: `${HEADER}.${PAYLOAD}`,
      signature: Buffer.from('signature'),
    })
  })

  it('decodes a payload larger than any before it, and a small one after it', () => {
    const big = encodeJson({ iss: 'https://issuer.test/', pad: 'x'.repeat(20_000) })
    const decoded = decodeToken(`${HEADER}.${big}.${SIGNATURE}`, 65_536)
    expect((decoded.claims.pad as string).length).toBe(20_000)
    expect({ ...decodeToken(TOKEN, 8192).claims }).toEqual({
      iss: 'https://issuer.test/',
      sub: 'a',
    })
  })

  it('takes a remembered header for its exact segment instead of parsing it again', () => {
    const known = new BoundedMemo<Readonly<Record<string, unknown>>>(4)
    const remembered = Object.freeze({ alg: 'RS256', kid: 'k1' })
    known.remember(HEADER, remembered)
    const decoded = decodeToken(TOKEN, 8192, known)
    expect([decoded.header, decoded.headerKnown]).toEqual([remembered, true])
    expect(decoded.header).toBe(remembered)
    expect(decodeToken(TOKEN, 8192, new BoundedMemo(4)).headerKnown).toBe(false)
  })

  it('rejects a token longer than maxTokenBytes before looking at it', () => {
    expect(failure('x'.repeat(101), 100)).toBe('token_too_large')
    expect(failure(TOKEN, TOKEN.length - 1)).toBe('token_too_large')
    expect(failure(TOKEN, TOKEN.length)).toBe('none')
  })

  it.each([
    ['one segment', HEADER],
    ['two segments', `${HEADER}.${PAYLOAD}`],
    ['four segments', `${TOKEN}.${SIGNATURE}`],
    ['an empty signature', `${HEADER}.${PAYLOAD}.`],
    ['an empty header', `.${PAYLOAD}.${SIGNATURE}`],
    ['an empty payload', `${HEADER}..${SIGNATURE}`],
    ['a padded signature', `${TOKEN}=`],
    ['a header that is an array', `${encodeJson([{ alg: 'RS256' }])}.${PAYLOAD}.${SIGNATURE}`],
    ['a payload that is a string', `${HEADER}.${encodeJson('claims')}.${SIGNATURE}`],
    ['the empty string', ''],
  ])('rejects %s as malformed_token', (_, token) => {
    expect(failure(token)).toBe('malformed_token')
  })
})
