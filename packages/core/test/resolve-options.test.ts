import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/resolve-options.js'
import { createVerifier } from '../src/verifier.js'

const VALID = {
  issuer: 'https://issuer.test/',
  audience: 'https://api.test',
  jwksUri: 'https://issuer.test/.well-known/jwks.json',
} as const

/** Constructs a verifier from VALID plus `changes` and closes it again. */
function construct(changes: Record<string, unknown>): void {
  createVerifier({ ...VALID, ...changes }).close()
}

describe('createVerifier configuration', () => {
  it('constructs from the minimal valid options (control for the cases below)', () => {
    expect(() => {
      construct({})
    }).not.toThrow()
  })

  it.each([
    ['a missing issuer', { issuer: undefined }],
    ['an empty issuer', { issuer: '' }],
    ['a non-string issuer', { issuer: new URL('https://issuer.test/') }],
    ['a missing audience', { audience: undefined }],
    ['an empty audience', { audience: '' }],
    ['an empty audience list', { audience: [] }],
    ['an audience list with an empty entry', { audience: ['https://api.test', ''] }],
    ['a numeric audience', { audience: 1 }],
    ['a missing jwksUri with an issuer that is not a URL', { jwksUri: undefined, issuer: 'acme' }],
    [
      'a missing jwksUri with an http: issuer on a public host',
      { jwksUri: undefined, issuer: 'http://issuer.test/' },
    ],
    ['an http: jwksUri on a public host', { jwksUri: 'http://issuer.test/jwks.json' }],
    [
      'an http: jwksUri on a host that only starts like loopback',
      { jwksUri: 'http://127.0.0.1.evil.test/jwks' },
    ],
    ['a jwksUri with credentials', { jwksUri: 'https://user:pass@issuer.test/jwks' }],
    ['a relative jwksUri', { jwksUri: '/jwks.json' }],
    ['a file: jwksUri', { jwksUri: 'file:///etc/jwks.json' }],
    ['HS256 in algorithms', { algorithms: ['RS256', 'HS256'] }],
    ['none in algorithms', { algorithms: ['none'] }],
    ['a lower-case algorithm', { algorithms: ['rs256'] }],
    ['an empty algorithm list', { algorithms: [] }],
    ['a negative clockToleranceMs', { clockToleranceMs: -1 }],
    ['a NaN clockToleranceMs', { clockToleranceMs: Number.NaN }],
    ['an infinite clockToleranceMs', { clockToleranceMs: Number.POSITIVE_INFINITY }],
    ['a clockToleranceMs in words', { clockToleranceMs: '30s' }],
    ['a negative maxTokenAgeMs', { maxTokenAgeMs: -1 }],
    ['a string maxTokenLifetimeMs', { maxTokenLifetimeMs: '1h' }],
    ['a zero maxTokenBytes', { maxTokenBytes: 0 }],
    ['a fractional maxTokenBytes', { maxTokenBytes: 1.5 }],
    ['a zero jwks.timeoutMs', { jwks: { timeoutMs: 0 } }],
    ['a negative jwks.cooldownMs', { jwks: { cooldownMs: -5 } }],
    ['a NaN jwks.maxStaleMs', { jwks: { maxStaleMs: Number.NaN } }],
    ['a cache floor above the ceiling', { jwks: { cacheFloorMs: 10, cacheCeilingMs: 5 } }],
    ['a realm with a quote', { realm: 'a"b' }],
    ['a realm with a backslash', { realm: 'a\\b' }],
    ['a realm with a newline', { realm: 'api\r\nX-Injected: 1' }],
    ['a non-ASCII realm', { realm: 'réalm' }],
    ['a non-string realm', { realm: 1 }],
    ['an http: resourceMetadataUrl on a public host', { resourceMetadataUrl: 'http://api.test/m' }],
    ['a resourceMetadataUrl with a quote', { resourceMetadataUrl: 'https://api.test/"m' }],
    [
      'both resourceMetadata and resourceMetadataUrl',
      {
        resourceMetadata: { url: 'https://api.test/m', document: {} },
        resourceMetadataUrl: 'https://api.test/m',
      },
    ],
    ['a scopeHierarchy that is a string', { scopeHierarchy: 'admin' }],
    ['an unknown profile', { profile: 'rfc7519' }],
    ['an empty typ list', { typ: [] }],
    ['a non-array requiredClaims', { requiredClaims: 'sub' }],
    ['a non-function onEvent', { onEvent: 'log' }],
    ['a non-boolean allowQueryToken', { allowQueryToken: 'yes' }],
    ['a non-function now', { now: 1 }],
    ['both issuer and issuers', { issuers: [VALID] }],
  ])('throws a TypeError at construction for %s', (_, changes) => {
    expect(() => {
      construct(changes)
    }).toThrow(TypeError)
  })

  it('throws a TypeError for an empty issuers list', () => {
    expect(() => createVerifier({ issuers: [] })).toThrow(TypeError)
  })

  it('throws a TypeError for the same issuer listed twice', () => {
    expect(() => createVerifier({ issuers: [VALID, VALID] })).toThrow(TypeError)
  })

  it('accepts a missing jwksUri for an https: issuer, to discover it', () => {
    expect(resolveOptions({ ...VALID, jwksUri: undefined }).issuers[0]?.jwksUri).toBeUndefined()
  })

  it('accepts audience: null as the explicit opt-out', () => {
    expect(resolveOptions({ ...VALID, audience: null }).issuers[0]?.claims.audiences).toBeNull()
  })

  it.each([
    'http://localhost:8080/jwks',
    'http://127.0.0.1:1/jwks',
    'http://127.8.9.10/jwks',
    'http://[::1]:9/jwks',
    'http://auth.localhost/jwks',
  ])('accepts the loopback http: jwksUri %s', (jwksUri) => {
    expect(resolveOptions({ ...VALID, jwksUri }).issuers[0]?.jwksUri).toBe(jwksUri)
  })

  it('defaults to a 30 s tolerance, 8 KiB tokens and every asymmetric algorithm', () => {
    const resolved = resolveOptions(VALID)
    const issuer = resolved.issuers[0]!
    expect({
      tolerance: issuer.claims.clockToleranceMs,
      maxTokenBytes: resolved.maxTokenBytes,
      algorithms: [...issuer.header.algorithms],
      typRequired: issuer.header.typRequired,
      query: resolved.allowQueryToken,
      body: resolved.allowBodyToken,
    }).toEqual({
      tolerance: 30_000,
      maxTokenBytes: 8192,
      algorithms: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
      ],
      typRequired: false,
      query: false,
      body: false,
    })
  })

  it("makes profile 'rfc9068' require at+jwt and iss exp aud sub client_id iat jti", () => {
    const issuer = resolveOptions({
      ...VALID,
      profile: 'rfc9068' as const,
      requiredClaims: ['tenant'],
    }).issuers[0]!
    expect({
      typ: [...issuer.header.typ],
      typRequired: issuer.header.typRequired,
      required: [...issuer.claims.requiredClaims].sort(),
    }).toEqual({
      typ: ['at+jwt'],
      typRequired: true,
      required: ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'sub', 'tenant'],
    })
  })
})
