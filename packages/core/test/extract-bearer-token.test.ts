import { describe, expect, it } from 'vitest'
import type { KeywardErrorCode } from '../src/errors.js'
import {
  extractBearerToken,
  extractCredentials,
  type BearerRequest,
} from '../src/extract-bearer-token.js'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** The code `extractBearerToken` throws, or `'none'`. */
function failure(request: BearerRequest, options = {}): KeywardErrorCode | 'none' {
  try {
    extractBearerToken(request, options)
  } catch (error) {
    return (error as { code: KeywardErrorCode }).code
  }
  return 'none'
}

describe('extractBearerToken', () => {
  it.each([
    ['Bearer', `Bearer ${TOKEN}`],
    ['lower case', `bearer ${TOKEN}`],
    ['upper case', `BEARER ${TOKEN}`],
    ['several spaces', `Bearer   ${TOKEN}`],
    ['surrounding whitespace', `  Bearer ${TOKEN}  `],
  ])('reads the token with %s', (_, authorization) => {
    expect(extractBearerToken({ headers: { authorization } })).toBe(TOKEN)
  })

  it('trims spaces and tabs around the header value (RFC 9110 §5.5)', () => {
    expect(extractBearerToken({ headers: { authorization: `\t Bearer ${TOKEN} \t` } })).toBe(TOKEN)
  })

  it.each(['\u00a0', '\u2003', '\ufeff'])(
    'rejects a value ending in %j, which is not HTTP whitespace',
    (space) => {
      expect(failure({ headers: { authorization: `Bearer ${TOKEN}${space}` } })).toBe(
        'invalid_request',
      )
    },
  )

  it.each(['abc-._~+/', 'abc==', 'A'])('accepts the token68 value %j', (token) => {
    expect(extractBearerToken({ headers: { authorization: `Bearer ${token}` } })).toBe(token)
  })

  it('returns undefined without an Authorization header', () => {
    expect(extractBearerToken({ headers: {} })).toBeUndefined()
  })

  it.each(['Basic dXNlcjpwYXNz', 'Digest username="a"', 'BearerX abc', 'Token abc'])(
    'returns undefined for another scheme: %s',
    (authorization) => {
      expect(extractBearerToken({ headers: { authorization } })).toBeUndefined()
    },
  )

  it.each([
    ['Bearer alone', 'Bearer'],
    ['Bearer and spaces', 'Bearer    '],
    ['a tab separator', `Bearer\t${TOKEN}`],
    ['two credentials', `Bearer ${TOKEN}, Bearer ${TOKEN}`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['a quote', 'Bearer "abc"'],
    ['padding in the middle', 'Bearer a=b'],
    ['a comma', 'Bearer a,b'],
  ])('rejects %s as invalid_request', (_, authorization) => {
    expect(failure({ headers: { authorization } })).toBe('invalid_request')
  })

  it('rejects an Authorization header that arrived as an array', () => {
    expect(failure({ headers: { authorization: [`Bearer ${TOKEN}`] } })).toBe('invalid_request')
  })

  it('rejects two Authorization lines in rawHeaders, whatever their case', () => {
    const request = {
      headers: { authorization: `Bearer ${TOKEN}` },
      rawHeaders: ['AUTHORIZATION', `Bearer ${TOKEN}`, 'Host', 'a', 'authorization', 'Basic x'],
    }
    expect(failure(request)).toBe('invalid_request')
  })

  it('accepts one Authorization line in rawHeaders', () => {
    const request = {
      headers: { authorization: `Bearer ${TOKEN}` },
      rawHeaders: ['Host', 'a', 'Authorization', `Bearer ${TOKEN}`],
    }
    expect(extractBearerToken(request)).toBe(TOKEN)
  })

  it('ignores a query token unless allowQueryToken is set', () => {
    const request = { headers: {}, query: { access_token: TOKEN } }
    expect(extractBearerToken(request)).toBeUndefined()
    expect(extractBearerToken(request, { allowQueryToken: true })).toBe(TOKEN)
  })

  it.each([
    ['empty', ''],
    ['repeated', [TOKEN, TOKEN]],
    ['an object', { a: 1 }],
  ])('rejects an %s query token as invalid_request when allowed', (_, value) => {
    const request = { headers: {}, query: { access_token: value } }
    expect(failure(request, { allowQueryToken: true })).toBe('invalid_request')
  })

  it('does not read an inherited access_token from the query object', () => {
    const query = Object.create({ access_token: TOKEN }) as object
    expect(extractBearerToken({ headers: {}, query }, { allowQueryToken: true })).toBeUndefined()
  })

  it.each([false, true])(
    'rejects a header token plus a query token (allowQueryToken: %s)',
    (allowQueryToken) => {
      const request = {
        headers: { authorization: `Bearer ${TOKEN}` },
        query: { access_token: TOKEN },
      }
      expect(failure(request, { allowQueryToken })).toBe('invalid_request')
    },
  )

  it.each([
    ['url', { url: '/things?access_token=x' }],
    ['originalUrl', { url: '/things', originalUrl: '/api/things?access_token=x' }],
  ])('reads the query when the %s has a query string', (_, urls) => {
    const request = {
      headers: { authorization: `Bearer ${TOKEN}` },
      query: { access_token: TOKEN },
      ...urls,
    }
    expect(failure(request, { allowQueryToken: true })).toBe('invalid_request')
  })

  it('does not read the parsed query of a URL without a query string (RFC 6750 §2.3)', () => {
    let reads = 0
    const request = {
      headers: { authorization: `Bearer ${TOKEN}` },
      url: '/things',
      originalUrl: '/api/things',
      get query() {
        reads++
        return { access_token: TOKEN }
      },
    }
    expect(extractBearerToken(request, { allowQueryToken: true })).toBe(TOKEN)
    expect(reads).toBe(0)
  })

  it('reads a form-body token on POST only when allowBodyToken is set', () => {
    const request = { headers: FORM, method: 'POST', body: { access_token: TOKEN } }
    expect(extractBearerToken(request)).toBeUndefined()
    expect(extractBearerToken(request, { allowBodyToken: true })).toBe(TOKEN)
  })

  it.each([
    ['a GET', { headers: FORM, method: 'GET' }],
    ['no method', { headers: FORM }],
    ['a JSON body', { headers: { 'content-type': 'application/json' }, method: 'POST' }],
    ['no content type', { headers: {}, method: 'POST' }],
  ])('ignores a body token in %s', (_, request) => {
    const withBody = { ...request, body: { access_token: TOKEN } }
    expect(extractBearerToken(withBody, { allowBodyToken: true })).toBeUndefined()
  })

  it('rejects a header token plus a form-body token even when body tokens are off', () => {
    const request = {
      headers: { ...FORM, authorization: `Bearer ${TOKEN}` },
      method: 'POST',
      body: { access_token: TOKEN },
    }
    expect(failure(request)).toBe('invalid_request')
  })

  it('rejects a query token plus a form-body token', () => {
    const request = {
      headers: FORM,
      method: 'POST',
      query: { access_token: TOKEN },
      body: { access_token: TOKEN },
    }
    expect(failure(request, { allowQueryToken: true, allowBodyToken: true })).toBe(
      'invalid_request',
    )
  })

  it('rejects an oversized header value as token_too_large before parsing it', () => {
    const authorization = `Bearer ${'a'.repeat(10_000)} !!`
    expect(failure({ headers: { authorization } })).toBe('token_too_large')
  })

  it('rejects a token one character over maxTokenBytes and accepts one at the limit', () => {
    const at = { headers: { authorization: `Bearer ${'a'.repeat(100)}` } }
    const over = { headers: { authorization: `Bearer ${'a'.repeat(101)}` } }
    expect(extractBearerToken(at, { maxTokenBytes: 100 })).toHaveLength(100)
    expect(failure(over, { maxTokenBytes: 100 })).toBe('token_too_large')
  })

  it('applies maxTokenBytes to query tokens too', () => {
    const request = { headers: {}, query: { access_token: 'a'.repeat(101) } }
    expect(failure(request, { allowQueryToken: true, maxTokenBytes: 100 })).toBe('token_too_large')
  })
})

describe('extractCredentials with tokens verified before', () => {
  // The verifier passes its verified-token cache: a header carrying a cached token skips the
  // syntax regex. The answer must be exactly the one the regex gives, for any header.
  const verifiedBefore = (token: string): boolean => token === TOKEN
  const answer = (header: string, dpop: boolean, known?: (token: string) => boolean): unknown => {
    try {
      return extractCredentials({ headers: { authorization: header } }, {}, dpop, known)
    } catch (error) {
      return (error as { code: string }).code
    }
  }

  it.each([
    `Bearer ${TOKEN}`,
    `bearer ${TOKEN}`,
    `BEARER    ${TOKEN}`,
    ` \tBearer ${TOKEN}\t `,
    `Bearer ${TOKEN} x`,
    `Bearer\t${TOKEN}`,
    `Bearer ${TOKEN}.`,
    `Bearer  ${TOKEN}==`,
    `Bearer${TOKEN}`,
    `DPoP ${TOKEN}`,
    `Basic ${TOKEN}`,
    'Bearer ',
  ])('answers %j as without them', (header) => {
    for (const dpop of [false, true]) {
      expect(answer(header, dpop, verifiedBefore)).toEqual(answer(header, dpop))
    }
  })

  it('asks only about a token after the Bearer scheme', () => {
    const asked: string[] = []
    const record = (token: string): boolean => {
      asked.push(token)
      return false
    }
    answer(`Bearer   ${TOKEN}`, false, record)
    answer(`DPoP ${TOKEN}`, true, record)
    answer(`Basic ${TOKEN}`, false, record)
    expect(asked).toEqual([TOKEN])
  })
})
