import { describe, expect, it } from 'vitest'
import type { KeywardErrorCode } from '../src/errors.js'
import {
  extractBearerToken,
  type BearerRequest,
  type ExtractOptions,
} from '../src/extract-bearer-token.js'
import { resolveOptions } from '../src/resolve-options.js'
import { cookieToken } from '../src/token-sources.js'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl'
const OTHER = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiIn0.c2lnbmF0dXJl'
const COOKIE: ExtractOptions = { cookie: { name: 'at' } }

/** The token extracted, or the code thrown. */
function outcome(request: BearerRequest, options: ExtractOptions): string | undefined {
  try {
    return extractBearerToken(request, options)
  } catch (error) {
    return `error:${(error as { code: KeywardErrorCode }).code}`
  }
}

describe('cookieToken', () => {
  it.each([
    ['the only cookie', `at=${TOKEN}`],
    ['among others', `theme=dark; at=${TOKEN}; lang=en`],
    ['with spaces around', ` theme=dark ;  at = ${TOKEN} `],
    ['in double quotes (RFC 6265 §4.1.1)', `at="${TOKEN}"`],
    ['from repeated Cookie lines', ['theme=dark', `at=${TOKEN}`]],
    ['twice with the same value', `at=${TOKEN}; at=${TOKEN}`],
  ])('reads the value as %s', (_, header) => {
    expect(cookieToken(header, 'at')).toBe(TOKEN)
  })

  it.each([
    ['no Cookie header', undefined],
    ['another name', `att=${TOKEN}; xat=${TOKEN}`],
    ['a name differing in case', `AT=${TOKEN}`],
    ['an empty value (cleared on logout)', 'at=; theme=dark'],
    ['a pair without "="', 'at'],
  ])('finds no token with %s', (_, header) => {
    expect(cookieToken(header, 'at')).toBeUndefined()
  })

  it('refuses the cookie twice with different values (a planted cookie, RFC 6265 §8.6)', () => {
    expect(() => cookieToken(`at=${TOKEN}; at=${OTHER}`, 'at')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    )
  })

  it('never percent-decodes the value', () => {
    expect(cookieToken('at=a%2Eb', 'at')).toBe('a%2Eb')
  })
})

describe('token sources in extraction', () => {
  const request = (headers: Record<string, string>, nativeRequest?: unknown): BearerRequest => ({
    headers,
    nativeRequest,
  })

  it('reads the cookie only when configured', () => {
    expect(outcome(request({ cookie: `at=${TOKEN}` }), {})).toBeUndefined()
    expect(outcome(request({ cookie: `at=${TOKEN}` }), COOKIE)).toBe(TOKEN)
  })

  it('lets the header win, and accepts the same token in the cookie', () => {
    const headers = { authorization: `Bearer ${TOKEN}`, cookie: `at=${TOKEN}` }
    expect(outcome(request(headers), COOKIE)).toBe(TOKEN)
  })

  it('refuses a header and a cookie carrying different tokens with invalid_request', () => {
    const headers = { authorization: `Bearer ${TOKEN}`, cookie: `at=${OTHER}` }
    expect(outcome(request(headers), COOKIE)).toBe('error:invalid_request')
  })

  it('refuses an enabled query token and a different cookie token', () => {
    const options = { ...COOKIE, allowQueryToken: true }
    const mixed = { headers: { cookie: `at=${OTHER}` }, query: { access_token: TOKEN } }
    expect(outcome(mixed, options)).toBe('error:invalid_request')
    const same = { headers: { cookie: `at=${TOKEN}` }, query: { access_token: TOKEN } }
    expect(outcome(same, options)).toBe(TOKEN)
  })

  it('still ignores the query when it is not enabled', () => {
    expect(outcome({ headers: {}, query: { access_token: TOKEN } }, COOKIE)).toBeUndefined()
  })

  it('hands getToken the native request, or the request view itself', () => {
    const native = { kind: 'native' }
    const seen: unknown[] = []
    const getToken = (value: unknown) => {
      seen.push(value)
      return TOKEN
    }
    const view = request({}, native)
    expect(outcome(view, { getToken })).toBe(TOKEN)
    const express = request({})
    expect(outcome(express, { getToken })).toBe(TOKEN)
    expect(seen).toEqual([native, express])
    expect(seen[1]).toBe(express)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
  ])('reads getToken answering %s as no token', (_, answer) => {
    expect(outcome(request({}), { getToken: () => answer as string | undefined })).toBeUndefined()
  })

  it.each([
    [
      'throws',
      () => {
        throw new Error('boom')
      },
    ],
    ['answers a number', () => 42 as unknown as string],
    ['answers a promise', () => Promise.resolve(TOKEN) as unknown as string],
  ])('refuses with invalid_request when getToken %s', (_, getToken) => {
    expect(outcome(request({}), { getToken })).toBe('error:invalid_request')
  })

  it('refuses getToken and the cookie, or the header, carrying different tokens', () => {
    const getToken = () => OTHER
    expect(outcome(request({ cookie: `at=${TOKEN}` }), { ...COOKIE, getToken })).toBe(
      'error:invalid_request',
    )
    expect(outcome(request({ authorization: `Bearer ${TOKEN}` }), { getToken })).toBe(
      'error:invalid_request',
    )
    expect(outcome(request({ cookie: `at=${OTHER}` }), { ...COOKIE, getToken })).toBe(OTHER)
  })

  it('caps a token from another source at maxTokenBytes', () => {
    const long = 'a'.repeat(65)
    expect(outcome(request({ cookie: `at=${long}` }), { ...COOKIE, maxTokenBytes: 64 })).toBe(
      'error:token_too_large',
    )
  })
})

describe('the token source options of createVerifier', () => {
  const VALID = {
    issuer: 'https://issuer.test/',
    audience: 'https://api.test',
    jwksUri: 'https://issuer.test/jwks',
  }

  it.each([
    ['cookie', { cookie: 'at' }],
    ['cookie.name', { cookie: {} }],
    ['cookie.name', { cookie: { name: '' } }],
    ['cookie.name', { cookie: { name: 'a b' } }],
    ['cookie.name', { cookie: { name: 'a;b' } }],
    ['cookie.name', { cookie: { name: 'a=b' } }],
    ['cookie.name', { cookie: { name: 'tök' } }],
    ['cookie.nmae', { cookie: { name: 'at', nmae: 'x' } }],
    ['getToken', { getToken: 'authorization' }],
  ])('throws a TypeError naming %s for %j', (name, changes) => {
    expect(() => resolveOptions({ ...VALID, ...changes })).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringContaining(`"${name}`) as unknown,
      }),
    )
  })

  it('accepts RFC 6265 token names such as __Host-at and keeps them', () => {
    const resolved = resolveOptions({ ...VALID, cookie: { name: '__Host-at' } })
    expect(resolved.cookie).toEqual({ name: '__Host-at' })
  })
})
