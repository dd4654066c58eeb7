import { describe, expect, it } from 'vitest'
import { formatChallenge, isChallengeSafe, isScopeToken } from '../src/www-authenticate.js'

describe('formatChallenge', () => {
  it('is a bare Bearer challenge with no parameters (RFC 6750 §3.1)', () => {
    expect(formatChallenge({})).toBe('Bearer')
  })

  it('orders realm, error, description, scope and resource_metadata, each quoted', () => {
    expect(
      formatChallenge({
        realm: 'api',
        error: 'insufficient_scope',
        description: 'insufficient scope',
        scopes: ['a', 'b'],
        resourceMetadataUrl: 'https://api.test/.well-known/oauth-protected-resource',
      }),
    ).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="a b", resource_metadata="https://api.test/.well-known/oauth-protected-resource"',
    )
  })

  it('omits an empty scope list', () => {
    expect(formatChallenge({ error: 'invalid_token', scopes: [] })).toBe(
      'Bearer error="invalid_token"',
    )
  })

  it('escapes quotes and backslashes so no value can end its parameter', () => {
    expect(formatChallenge({ realm: 'a"b\\c' })).toBe('Bearer realm="a\\"b\\\\c"')
  })

  it('drops control characters, so a value cannot inject a header line', () => {
    expect(formatChallenge({ realm: 'api\r\nSet-Cookie: x=1\u0000\u007f' })).toBe(
      'Bearer realm="apiSet-Cookie: x=1"',
    )
  })

  it('quotes the resource metadata URL even without other parameters', () => {
    expect(formatChallenge({ resourceMetadataUrl: 'https://a.test/m' })).toBe(
      'Bearer resource_metadata="https://a.test/m"',
    )
  })
})

describe('isChallengeSafe', () => {
  it.each(['api', 'my realm', 'https://a.test/x?y=1', ''])('accepts %j', (value) => {
    expect(isChallengeSafe(value)).toBe(true)
  })

  it.each(['a"b', 'a\\b', 'a\nb', 'a\tb', 'é'])('rejects %j', (value) => {
    expect(isChallengeSafe(value)).toBe(false)
  })
})

describe('isScopeToken', () => {
  it.each(['read', 'read:things', "https://api.test/scope!#$%&'()*+,-./:;<=>?@[]^_`{|}~"])(
    'accepts %j (RFC 6749 §3.3 scope-token)',
    (value) => {
      expect(isScopeToken(value)).toBe(true)
    },
  )

  it.each(['', 'a b', 'a"b', 'a\\b', 'é', 'a\tb'])('rejects %j', (value) => {
    expect(isScopeToken(value)).toBe(false)
  })

  it('never names offline_access in scope (MCP: refresh tokens are no resource requirement)', () => {
    expect(formatChallenge({ scopes: ['offline_access', 'notes:read'] })).toBe(
      'Bearer scope="notes:read"',
    )
    expect(formatChallenge({ error: 'insufficient_scope', scopes: ['offline_access'] })).toBe(
      'Bearer error="insufficient_scope"',
    )
  })
})
