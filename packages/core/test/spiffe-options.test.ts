import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/resolve-options.js'

const endpoint = 'https://spire.example.org/bundle'
const domain = { trustDomain: 'example.org', bundleEndpoint: endpoint, audience: 'api' }

function spiffe(...trustDomains: unknown[]): unknown {
  return { spiffe: { trustDomains } }
}

describe('the spiffe option', () => {
  it('resolves a trust domain to an issuer named by its ID, with the JWT-SVID policy', () => {
    const [resolved] = resolveOptions(spiffe(domain)).issuers
    expect({
      issuer: resolved?.issuer,
      jwksUri: resolved?.jwksUri,
      workload: resolved?.workload,
      audiences: [...(resolved?.claims.audiences ?? [])],
      algorithms: [...(resolved?.header.algorithms ?? [])],
      typ: [...(resolved?.header.typ ?? [])],
      typRequired: resolved?.header.typRequired,
    }).toEqual({
      issuer: 'spiffe://example.org',
      jwksUri: endpoint,
      workload: { kind: 'spiffe', trustDomain: 'example.org' },
      audiences: ['api'],
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'],
      typ: ['jwt', 'jose'],
      typRequired: false,
    })
  })

  it('accepts the trust domain as its ID, spiffe://example.org', () => {
    const [resolved] = resolveOptions(
      spiffe({ ...domain, trustDomain: 'spiffe://example.org' }),
    ).issuers
    expect(resolved?.issuer).toBe('spiffe://example.org')
  })

  it('puts trust domains beside issuers', () => {
    const resolved = resolveOptions({
      issuer: 'https://issuer.test/',
      audience: 'api',
      jwksUri: 'https://issuer.test/jwks',
      ...(spiffe(domain) as object),
    })
    expect(resolved.issuers.map((entry) => entry.issuer)).toEqual([
      'https://issuer.test/',
      'spiffe://example.org',
    ])
  })

  it.each([
    ['an upper-case name', 'Example.org'],
    ['a port', 'example.org:8443'],
    ['a path', 'example.org/ns'],
    ['an empty name', ''],
    ['a number', 7],
  ])('refuses trustDomain as %s', (_, trustDomain) => {
    expect(() => resolveOptions(spiffe({ ...domain, trustDomain }))).toThrow(
      /"spiffe\.trustDomains\[0\]\.trustDomain" must be a trust domain name/,
    )
  })

  it('refuses a trust domain with both bundleEndpoint and bundle, or neither', () => {
    const bundle = { keys: [] }
    expect(() => resolveOptions(spiffe({ ...domain, bundle }))).toThrow(/give exactly one source/)
    const neither = { trustDomain: domain.trustDomain, audience: domain.audience }
    expect(() => resolveOptions(spiffe(neither))).toThrow(/give exactly one source/)
  })

  it.each(['http://spire.example.org/bundle', 'ftp://x', 'not a url'])(
    'refuses bundleEndpoint %s',
    (bundleEndpoint) => {
      expect(() => resolveOptions(spiffe({ ...domain, bundleEndpoint }))).toThrow(
        /"spiffe\.trustDomains\[0\]\.bundleEndpoint" must be an https: URL/,
      )
    },
  )

  it.each([
    ['JSON text that does not parse', '{'],
    ['an object without keys', { spiffe_sequence: 1 }],
    ['a number', 1],
  ])('refuses a static bundle that is %s', (_, bundle) => {
    const rest = { trustDomain: domain.trustDomain, audience: domain.audience }
    expect(() => resolveOptions(spiffe({ ...rest, bundle }))).toThrow(
      /"spiffe\.trustDomains\[0\]\.bundle" must be a SPIFFE bundle/,
    )
  })

  it.each([null, [], '', ['api', '']])(
    'refuses audience %j: JWT-SVID §3.2 has no opt-out',
    (audience) => {
      expect(() => resolveOptions(spiffe({ ...domain, audience }))).toThrow(
        /"spiffe\.trustDomains\[0\]\.audience"/,
      )
    },
  )

  it.each(['EdDSA', 'HS256', 'none'])('refuses algorithm %s, outside JWT-SVID §2.1', (alg) => {
    expect(() => resolveOptions(spiffe({ ...domain, algorithms: [alg] }))).toThrow(
      /"spiffe\.trustDomains\[0\]\.algorithms"/,
    )
  })

  it('refuses the same trust domain twice, and one that collides with an issuer', () => {
    expect(() => resolveOptions(spiffe(domain, domain))).toThrow(
      /lists "spiffe:\/\/example.org" twice/,
    )
    expect(() =>
      resolveOptions({
        issuer: 'spiffe://example.org',
        audience: 'api',
        jwksUri: 'https://issuer.test/jwks',
        ...(spiffe(domain) as object),
      }),
    ).toThrow(/configured twice/)
  })

  it('names an unknown option of a trust domain, and says where jwksUri went', () => {
    expect(() => resolveOptions(spiffe({ ...domain, audiance: 'api' }))).toThrow(
      /unknown option "spiffe\.trustDomains\[0\]\.audiance" \(did you mean "spiffe\.trustDomains\[0\]\.audience"\?\)/,
    )
    expect(() => resolveOptions(spiffe({ ...domain, jwksUri: endpoint }))).toThrow(
      /"bundleEndpoint"/,
    )
    expect(() => resolveOptions({ spiffe: { trustDomains: [domain], audience: 'api' } })).toThrow(
      /unknown option "spiffe\.audience"/,
    )
  })

  it('refuses an empty or missing trustDomains list', () => {
    expect(() => resolveOptions({ spiffe: { trustDomains: [] } })).toThrow(
      /"spiffe\.trustDomains" must be a non-empty array/,
    )
    expect(() => resolveOptions({ spiffe: {} })).toThrow(/"spiffe\.trustDomains"/)
  })

  it('refuses a per-issuer option at the top level when only trust domains are configured', () => {
    expect(() => resolveOptions({ ...(spiffe(domain) as object), audience: 'api' })).toThrow(
      /"audience" is an option of "issuer", and no "issuer" is given/,
    )
  })

  it('still requires an issuer when spiffe is absent', () => {
    expect(() => resolveOptions({})).toThrow(/"issuer" is required/)
  })
})
