import { afterEach, describe, expect, it } from 'vitest'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import {
  createVerifier,
  type KeywardError,
  type KeywardEvent,
  type Verifier,
} from '../src/index.js'
import { metadataUrls } from '../src/discovery.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** A server whose origin is the issuer, serving discovery and the JWKS. */
async function discoverableIssuer(
  options: { discoveryDocument?: (server: JwksServer, issuer: TestIssuer) => unknown } = {},
): Promise<{ issuer: TestIssuer; server: JwksServer }> {
  const ref: { issuer?: TestIssuer } = {}
  const document = options.discoveryDocument
  const server: JwksServer = await startJwksServer({
    jwks: () => ref.issuer?.jwks(),
    discovery: true,
    ...(document === undefined
      ? {}
      : {
          discoveryDocument: () => (ref.issuer === undefined ? {} : document(server, ref.issuer)),
        }),
  })
  const issuer = await TestIssuer.create({ issuer: server.origin })
  ref.issuer = issuer
  cleanup.push(() => server.close())
  return { issuer, server }
}

function track(verifier: Verifier): Verifier {
  cleanup.push(() => {
    verifier.close()
  })
  return verifier
}

const metadataRequests = (server: JwksServer): number =>
  server.requests.filter((request) => request.path.startsWith('/.well-known/o')).length

describe('metadataUrls', () => {
  it('appends the OIDC suffix and inserts the RFC 8414 suffix before a path', () => {
    expect(metadataUrls('https://auth.example.com/tenant/')).toEqual([
      'https://auth.example.com/tenant/.well-known/openid-configuration',
      'https://auth.example.com/.well-known/oauth-authorization-server/tenant',
    ])
  })

  it('tries one URL per well-known name for an issuer without a path', () => {
    expect(metadataUrls('https://auth.example.com')).toEqual([
      'https://auth.example.com/.well-known/openid-configuration',
      'https://auth.example.com/.well-known/oauth-authorization-server',
    ])
  })
})

describe('issuer discovery', () => {
  it('finds the jwks_uri from OpenID Connect discovery and verifies a token', async () => {
    const { issuer, server } = await discoverableIssuer()
    const verifier = track(createVerifier({ issuer: issuer.issuer, audience: issuer.audience }))
    const auth = await verifier.verify(issuer.mint())
    expect(auth.issuer).toBe(server.origin)
    expect(server.jwksRequests).toBe(1)
    expect(verifier.health().issuers[0]?.jwksUri).toBe(server.url)
  })

  it('falls back to RFC 8414 metadata when OIDC discovery answers 404', async () => {
    const { issuer, server } = await discoverableIssuer({
      discoveryDocument: (srv, iss) => ({ issuer: iss.issuer, jwks_uri: srv.url }),
    })
    // Only the RFC 8414 document is valid here: the OIDC one names a different issuer.
    const verifier = track(
      createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwks: {
          fetch: (url, init) =>
            url.includes('openid-configuration')
              ? Promise.resolve(new Response('not found', { status: 404 }))
              : fetch(url, init),
        },
      }),
    )
    await expect(verifier.verify(issuer.mint())).resolves.toMatchObject({ issuer: issuer.issuer })
    expect(server.requests.some((r) => r.path === '/.well-known/oauth-authorization-server')).toBe(
      true,
    )
  })

  // Issue 21, problem 2: a discovery `issuer` that differs by a slash looked like an outage.
  it('refuses a document whose issuer differs by a trailing slash as jwks_misconfigured, naming the URL and both values', async () => {
    const events: KeywardEvent[] = []
    const lines: string[] = []
    const { issuer, server } = await discoverableIssuer({
      discoveryDocument: (srv, iss) => ({ issuer: `${iss.issuer}/`, jwks_uri: srv.url }),
    })
    const verifier = track(
      createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        onEvent: (event) => events.push(event),
        logger: { warn: (line) => lines.push(line) },
      }),
    )
    const error = await verifier.verify(issuer.mint()).catch((e: unknown) => e)
    const metadataUrl = `${issuer.issuer}/.well-known/openid-configuration`
    // The client's answer is an outage's: 503, Retry-After, nothing about the configuration.
    expect(error).toMatchObject({
      code: 'jwks_misconfigured',
      status: 503,
      expose: false,
      cause: {
        reason: 'issuer_mismatch',
        url: metadataUrl,
        compared: { expected: issuer.issuer, received: `${issuer.issuer}/` },
      },
    })
    expect((error as KeywardError).toJSON()).toEqual({ error: 'temporarily_unavailable' })
    expect(Object.keys((error as KeywardError).headers)).toEqual(['Retry-After'])
    expect(server.jwksRequests).toBe(0)
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'jwks_fetch_failure',
        reason: 'issuer_mismatch',
        misconfigured: true,
        url: metadataUrl,
        expected: issuer.issuer,
        received: `${issuer.issuer}/`,
      }),
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('(jwks_misconfigured)')
    expect(lines[0]).toContain(metadataUrl)
    expect(lines[0]).toContain(JSON.stringify(`${issuer.issuer}/`))
  })

  it('refuses a jwks_uri on plain http to a non-loopback host', async () => {
    const events: KeywardEvent[] = []
    const { issuer } = await discoverableIssuer({
      discoveryDocument: (_srv, iss) => ({
        issuer: iss.issuer,
        jwks_uri: 'http://keys.example.com/jwks.json',
      }),
    })
    const verifier = track(
      createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        onEvent: (event) => events.push(event),
      }),
    )
    await expect(verifier.verify(issuer.mint())).rejects.toMatchObject({
      code: 'jwks_misconfigured',
    })
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'jwks_fetch_failure', reason: 'unsafe_jwks_uri' }),
    )
  })

  it('reports a long discovered jwks_uri clipped, in events and in health()', async () => {
    const events: KeywardEvent[] = []
    const padded = (srv: JwksServer) => `${srv.url}?pad=${'a'.repeat(10_000)}`
    const { issuer, server } = await discoverableIssuer({
      discoveryDocument: (srv, iss) => ({ issuer: iss.issuer, jwks_uri: padded(srv) }),
    })
    const verifier = track(
      createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        onEvent: (event) => events.push(event),
      }),
    )
    // The whole URL is fetched; only what is reported is clipped.
    expect((await verifier.verify(issuer.mint())).issuer).toBe(issuer.issuer)
    expect(server.jwksRequests).toBe(1)
    const clipped = `${padded(server).slice(0, 512)}…`
    const reported = events.flatMap((event) => ('jwksUri' in event ? [event.jwksUri] : []))
    expect(new Set(reported)).toEqual(new Set(['(discovery)', clipped]))
    expect(verifier.health().issuers[0]?.jwksUri).toBe(clipped)
  })

  it('shares one discovery and one key fetch among 100 concurrent cold requests', async () => {
    const { issuer, server } = await discoverableIssuer()
    const verifier = track(createVerifier({ issuer: issuer.issuer, audience: issuer.audience }))
    const token = issuer.mint()
    const results = await Promise.all(Array.from({ length: 100 }, () => verifier.verify(token)))
    expect(results).toHaveLength(100)
    expect(metadataRequests(server)).toBe(1)
    expect(server.jwksRequests).toBe(1)
  })

  it('keeps the last-known-good jwks_uri when metadata fails but keys still answer', async () => {
    let now = Date.now()
    const { issuer, server } = await discoverableIssuer()
    let metadataDown = false
    let refusedMetadata = 0
    const verifier = track(
      createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        now: () => now,
        jwks: {
          fetch: (url, init) => {
            if (!metadataDown || !url.includes('/.well-known/o')) return fetch(url, init)
            refusedMetadata++
            return Promise.resolve(new Response('down', { status: 503 }))
          },
        },
      }),
    )
    await verifier.warmup()
    metadataDown = true
    now += 2 * 60 * 60 * 1000 // both the metadata and the keys are past their freshness
    const rotated = await issuer.rotate()
    const iat = Math.floor(now / 1000)
    const token = issuer.mint({ iat, exp: iat + 300 }, { key: rotated })
    await expect(verifier.verify(token)).resolves.toMatchObject({
      kid: rotated.kid,
    })
    expect(refusedMetadata).toBeGreaterThan(0)
    expect(server.jwksRequests).toBe(2)
  })

  it('requires jwksUri when the issuer is not a URL it could discover from', () => {
    expect(() => createVerifier({ issuer: 'urn:example:issuer', audience: 'api' })).toThrow(
      TypeError,
    )
  })
})
