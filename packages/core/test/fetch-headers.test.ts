import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { scopedFetchHeaders } from '../src/fetch-headers.js'
import { createVerifier, type Verifier } from '../src/index.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

const KEY = { 'x-api-key': 'secret' }

describe('scopedFetchHeaders', () => {
  const scope = {
    issuer: 'https://auth.example.com/tenant/',
    jwksUri: undefined,
    jwksOrigins: new Set(['https://keys.example.net']),
    headers: KEY,
  }

  it("sends the headers to the issuer's origin, whatever the path", () => {
    const headersFor = scopedFetchHeaders(scope)
    expect([
      headersFor('https://auth.example.com/tenant/.well-known/openid-configuration'),
      headersFor('https://auth.example.com/.well-known/oauth-authorization-server/tenant'),
      headersFor('https://auth.example.com/keys'),
    ]).toEqual([KEY, KEY, KEY])
  })

  it('sends them to an origin listed in jwksOrigins', () => {
    expect(scopedFetchHeaders(scope)('https://keys.example.net/jwks.json')).toEqual(KEY)
  })

  it('sends nothing to another host, another port or another scheme of the same host', () => {
    const headersFor = scopedFetchHeaders(scope)
    expect([
      headersFor('https://evil.example.org/jwks.json'),
      headersFor('https://auth.example.com:8443/jwks.json'),
      headersFor('http://auth.example.com/jwks.json'),
      headersFor('https://keys.auth.example.com/jwks.json'),
      headersFor('not a url'),
    ]).toEqual([{}, {}, {}, {}, {}])
  })

  it('sends them to an explicitly configured jwksUri on another origin', () => {
    const headersFor = scopedFetchHeaders({
      ...scope,
      jwksUri: 'https://gateway.example.org/jwks',
      jwksOrigins: new Set<string>(),
    })
    expect([
      headersFor('https://gateway.example.org/jwks'),
      headersFor('https://gateway.example.org/other'),
    ]).toEqual([KEY, {}])
  })

  it('gives an issuer that is not a URL (urn:) headers for its jwksUri only', () => {
    const headersFor = scopedFetchHeaders({
      ...scope,
      issuer: 'urn:example:issuer',
      jwksUri: 'https://keys.example.com/jwks',
    })
    expect([headersFor('https://keys.example.com/jwks'), headersFor('urn:example:x')]).toEqual([
      KEY,
      {},
    ])
  })
})

describe('request headers of several issuers', () => {
  const cleanup: (() => unknown)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  const apiKeys = (server: JwksServer): (string | undefined)[] =>
    server.requests.map((request) => request.headers['x-api-key'] as string | undefined)

  /**
   * Issuer A with an explicit JWKS; issuer B discovered from its own origin, whose metadata
   * names a JWKS on a third origin.
   */
  async function twoIssuers() {
    const a = await TestIssuer.create()
    const aServer = await startJwksServer({ issuer: a })
    const ref: { b?: TestIssuer } = {}
    const third = await startJwksServer({ jwks: () => ref.b?.jwks() })
    const bServer = await startJwksServer({
      jwks: () => ({ keys: [] }),
      discoveryDocument: () => ({ issuer: ref.b?.issuer, jwks_uri: third.url }),
    })
    const b = await TestIssuer.create({ issuer: bServer.origin })
    ref.b = b
    cleanup.push(
      () => aServer.close(),
      () => bServer.close(),
      () => third.close(),
    )
    return { a, aServer, b, bServer, third }
  }

  function track(verifier: Verifier): Verifier {
    cleanup.push(() => {
      verifier.close()
    })
    return verifier
  }

  it(
    "sends one issuer's API key to its own JWKS only, not to another issuer or an origin its metadata names",
    async () => {
      const { a, aServer, b, bServer, third } = await twoIssuers()
      const verifier = track(
        createVerifier({
          issuers: [
            { issuer: a.issuer, audience: a.audience, jwksUri: aServer.url, fetchHeaders: KEY },
            { issuer: b.issuer, audience: b.audience },
          ],
        }),
      )
      await verifier.verify(a.mint())
      await verifier.verify(b.mint())
      expect({ a: apiKeys(aServer), b: apiKeys(bServer), third: apiKeys(third) }).toEqual({
        a: ['secret'],
        b: [undefined],
        third: [undefined],
      })
    },
    SETUP_TIMEOUT_MS,
  )

  it(
    "sends an issuer's headers to its metadata but not to a discovered jwks_uri on another origin",
    async () => {
      const { b, bServer, third } = await twoIssuers()
      const verifier = track(
        createVerifier({ issuer: b.issuer, audience: b.audience, fetchHeaders: KEY }),
      )
      await verifier.verify(b.mint())
      expect({ b: apiKeys(bServer), third: apiKeys(third) }).toEqual({
        b: ['secret'],
        third: [undefined],
      })
    },
    SETUP_TIMEOUT_MS,
  )

  it(
    'sends them to a discovered jwks_uri on an origin listed in jwksOrigins',
    async () => {
      const { b, third } = await twoIssuers()
      const verifier = track(
        createVerifier({
          issuer: b.issuer,
          audience: b.audience,
          fetchHeaders: KEY,
          jwksOrigins: [third.origin],
        }),
      )
      await verifier.verify(b.mint())
      expect(apiKeys(third)).toEqual(['secret'])
    },
    SETUP_TIMEOUT_MS,
  )
})

describe('request header options', () => {
  const VALID = {
    issuer: 'https://issuer.test/',
    audience: 'https://api.test',
  } as const

  function typeErrorOf(run: () => unknown): string {
    try {
      run()
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      return (error as Error).message
    }
    throw new Error('expected a TypeError, nothing was thrown')
  }

  it('refuses the verifier-wide jwks.headers, naming it and fetchHeaders', () => {
    const message = typeErrorOf(() => createVerifier({ ...VALID, jwks: { headers: KEY } } as never))
    expect([message.includes('"jwks.headers"'), message.includes('"fetchHeaders"')]).toEqual([
      true,
      true,
    ])
  })

  it('refuses fetchHeaders next to issuers: it would be ambiguous whose endpoints get them', () => {
    const message = typeErrorOf(() =>
      createVerifier({ issuers: [VALID], fetchHeaders: KEY } as never),
    )
    expect([message.includes('"fetchHeaders"'), message.includes('"issuers"')]).toEqual([
      true,
      true,
    ])
  })

  it.each([
    ['a path', 'https://keys.example.com/jwks'],
    ['a query', 'https://keys.example.com/?x=1'],
    ['plain http to a public host', 'http://keys.example.com'],
    ['credentials', 'https://user:pass@keys.example.com'],
    ['another scheme', 'ftp://keys.example.com'],
    ['a host name only', 'keys.example.com'],
    ['a number', 42],
  ])('refuses a jwksOrigins entry with %s, naming its index', (_, entry) => {
    const message = typeErrorOf(() =>
      createVerifier({ ...VALID, jwksOrigins: ['https://ok.example.com', entry] } as never),
    )
    expect(message).toContain('"jwksOrigins[1]"')
  })

  it('refuses jwksOrigins that is not an array', () => {
    expect(
      typeErrorOf(() => createVerifier({ ...VALID, jwksOrigins: 'https://a.example' } as never)),
    ).toContain('"jwksOrigins"')
  })

  it('refuses jwksOrigins with an explicit jwksUri, naming both', () => {
    const message = typeErrorOf(() =>
      createVerifier({
        ...VALID,
        jwksUri: 'https://issuer.test/jwks',
        jwksOrigins: ['https://keys.example.com'],
      }),
    )
    expect([message.includes('"jwksOrigins"'), message.includes('"jwksUri"')]).toEqual([true, true])
  })

  it('accepts origins with or without a trailing slash (control for the cases above)', () => {
    expect(() => {
      createVerifier({
        ...VALID,
        jwksOrigins: ['https://keys.example.com', 'https://other.example.com:8443/'],
      }).close()
    }).not.toThrow()
  })
})
