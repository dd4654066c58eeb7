import { describe, expect, it } from 'vitest'
import { normaliseBaseUrl, normaliseHtu, requestUri } from '../src/dpop-htu.js'

const policy = { base: 'https://api.example.com', trustProxy: false }

describe('normaliseHtu', () => {
  it.each([
    ['HTTPS://API.Example.COM/a', 'https://api.example.com/a'],
    ['https://api.example.com:443/a', 'https://api.example.com/a'],
    ['http://api.example.com:80/a', 'http://api.example.com/a'],
    ['https://api.example.com/a?q=1#f', 'https://api.example.com/a'],
    ['https://api.example.com/%7euser/%2f', 'https://api.example.com/~user/%2F'],
    ['https://api.example.com/a/./b/../c', 'https://api.example.com/a/c'],
    ['https://api.example.com', 'https://api.example.com/'],
  ])('normalises %s to %s (RFC 3986 §6.2.2, §6.2.3)', (htu, expected) => {
    expect(normaliseHtu(htu)).toBe(expected)
  })

  it.each(['/a', 'ftp://api.example.com/a', 'https://u:p@api.example.com/a', 'x'.repeat(5000)])(
    'refuses %s',
    (htu) => {
      expect(normaliseHtu(htu)).toBeUndefined()
    },
  )
})

describe('requestUri', () => {
  it('joins the configured base and the received path, without the query', () => {
    expect(requestUri(policy, { headers: {}, url: '/things/%7e1?x=y' })).toBe(
      'https://api.example.com/things/~1',
    )
  })

  it('prefers originalUrl (Express and Koa before mounting) over url', () => {
    expect(requestUri(policy, { headers: {}, url: '/1', originalUrl: '/api/1' })).toBe(
      'https://api.example.com/api/1',
    )
  })

  it('keeps a path prefix of the base URL', () => {
    const prefixed = {
      base: normaliseBaseUrl('https://Example.com:443/v1/') ?? '',
      trustProxy: false,
    }
    expect(prefixed.base).toBe('https://example.com/v1')
    expect(requestUri(prefixed, { headers: {}, url: '/things' })).toBe(
      'https://example.com/v1/things',
    )
  })

  it('ignores Host and X-Forwarded-* unless the proxy is trusted', () => {
    const headers = { host: 'evil.test', 'x-forwarded-host': 'evil.test' }
    expect(requestUri(policy, { headers, url: '/a' })).toBe('https://api.example.com/a')
    expect(
      requestUri({ base: undefined, trustProxy: false }, { headers, url: '/a' }),
    ).toBeUndefined()
  })

  it('behind a trusted proxy, takes the first X-Forwarded-Proto and -Host, else Host', () => {
    const trusted = { base: undefined, trustProxy: true }
    const forwarded = { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'API.test, x' }
    expect(requestUri(trusted, { headers: forwarded, url: '/a' })).toBe('https://api.test/a')
    expect(requestUri(trusted, { headers: { host: 'api.test:8080' }, url: '/a' })).toBe(
      'http://api.test:8080/a',
    )
    expect(requestUri(trusted, { headers: { host: 'a/b@c' }, url: '/a' })).toBeUndefined()
  })

  it.each(['/a/../b', '/a/%2E%2e/b', '/./a', '/a\\b', '//host/a', 'a', 'http://x/a', undefined])(
    'refuses the request-target %s',
    (url) => {
      expect(requestUri(policy, { headers: {}, url })).toBeUndefined()
    },
  )
})

describe('normaliseBaseUrl', () => {
  it.each(['https://a.test/?q', 'https://a.test/#f', 'ftp://a.test', 'https://u@a.test', 'a.test'])(
    'refuses %s',
    (url) => {
      expect(normaliseBaseUrl(url)).toBeUndefined()
    },
  )
})
