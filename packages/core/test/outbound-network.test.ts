import {
  createTestCa,
  startConnectProxy,
  startJwksServer,
  TestIssuer,
  type ConnectProxy,
  type JwksServer,
} from '@keyward/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createVerifier,
  inspectUrl,
  isKeywardError,
  type InspectUrlOptions,
  type JwksOptions,
  type Verifier,
} from '../src/index.js'

// JWKS and discovery fetches through a real CONNECT proxy on loopback, to an https: server whose
// certificate comes from a private CA generated now.

const ca = createTestCa()
let issuer: TestIssuer
let server: JwksServer
let proxy: ConnectProxy
const verifiers: Verifier[] = []

beforeAll(async () => {
  server = await startJwksServer({
    jwks: () => issuer.jwks(),
    discovery: true,
    tls: ca.issue({ ip: '127.0.0.1' }),
  })
  issuer = await TestIssuer.create({ issuer: server.origin, alg: 'ES256' })
  proxy = await startConnectProxy()
})
afterAll(async () => {
  await proxy.close()
  await server.close()
})
afterEach(() => {
  for (const verifier of verifiers.splice(0)) verifier.close()
  server.reset()
  ;(proxy.connects as unknown[]).length = 0
})

function verifierWith(jwks: JwksOptions, discovered = false): Verifier {
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    ...(discovered ? {} : { jwksUri: server.url }),
    jwks,
  })
  verifiers.push(verifier)
  return verifier
}

async function outcome(verifier: Verifier): Promise<string> {
  return verifier.verify(issuer.mint()).then(
    () => 'ok',
    (error: unknown) => (isKeywardError(error) ? error.code : 'thrown'),
  )
}

const target = () => new URL(server.origin).host

describe('jwks.extraCaCerts', () => {
  it('trusts an https: JWKS whose certificate a private CA issued', async () => {
    expect(await outcome(verifierWith({ extraCaCerts: ca.cert }))).toBe('ok')
    expect(server.jwksRequests).toBe(1)
  })

  it('refuses that server without it: the default trust store is unchanged', async () => {
    const verifier = verifierWith({})
    expect(await outcome(verifier)).toBe('jwks_unavailable')
    expect(verifier.health().issuers[0]?.lastError).toBe('network')
    expect(server.jwksRequests).toBe(0)
  })

  it('accepts the CA as a Buffer inside a list', async () => {
    expect(await outcome(verifierWith({ extraCaCerts: [Buffer.from(ca.cert)] }))).toBe('ok')
  })
})

describe('jwks.proxy', () => {
  it('tunnels the JWKS fetch through the proxy with CONNECT', async () => {
    const verifier = verifierWith({ proxy: { url: proxy.url }, extraCaCerts: ca.cert })
    expect(await outcome(verifier)).toBe('ok')
    expect(proxy.connects.map((entry) => entry.target)).toEqual([target()])
    expect(server.jwksRequests).toBe(1)
  })

  it('tunnels discovery through the proxy too', async () => {
    const verifier = verifierWith({ proxy: { url: proxy.url }, extraCaCerts: ca.cert }, true)
    expect(await outcome(verifier)).toBe('ok')
    expect(server.requests.map((request) => request.path)).toEqual([
      '/.well-known/openid-configuration',
      '/.well-known/jwks.json',
    ])
    expect(proxy.connects.length).toBeGreaterThanOrEqual(1)
    expect(new Set(proxy.connects.map((entry) => entry.target))).toEqual(new Set([target()]))
  })

  it('fetches a host listed in noProxy directly', async () => {
    const verifier = verifierWith({
      proxy: { url: proxy.url, noProxy: '127.0.0.1' },
      extraCaCerts: ca.cert,
    })
    expect(await outcome(verifier)).toBe('ok')
    expect(proxy.connects).toEqual([])
  })

  it("sends the proxy URL's credentials as Proxy-Authorization, never to the issuer", async () => {
    const url = proxy.url.replace('http://', 'http://user:secret@')
    expect(await outcome(verifierWith({ proxy: { url }, extraCaCerts: ca.cert }))).toBe('ok')
    expect(proxy.connects[0]?.headers['proxy-authorization']).toBe(
      `Basic ${Buffer.from('user:secret').toString('base64')}`,
    )
    expect(server.requests.every((request) => !('proxy-authorization' in request.headers))).toBe(
      true,
    )
  })

  it("with 'env', honours HTTPS_PROXY and NO_PROXY as they are at the first fetch", async () => {
    const saved = { ...process.env }
    try {
      for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'NO_PROXY']) {
        Reflect.deleteProperty(process.env, name)
      }
      process.env.HTTPS_PROXY = proxy.url
      expect(await outcome(verifierWith({ proxy: 'env', extraCaCerts: ca.cert }))).toBe('ok')
      expect(proxy.connects.map((entry) => entry.target)).toEqual([target()])

      process.env.NO_PROXY = '127.0.0.1'
      expect(await outcome(verifierWith({ proxy: 'env', extraCaCerts: ca.cert }))).toBe('ok')
      expect(proxy.connects).toHaveLength(1)
    } finally {
      process.env = saved
    }
  })

  it('reports a proxy that refuses the tunnel as a network failure: 503, last error network', async () => {
    const refusing = await startConnectProxy()
    await refusing.close()
    const verifier = verifierWith({ proxy: { url: refusing.url }, extraCaCerts: ca.cert })
    expect(await outcome(verifier)).toBe('jwks_unavailable')
    expect(verifier.health().issuers[0]?.lastError).toBe('network')
    expect(server.jwksRequests).toBe(0)
  })
})

describe('inspectUrl with proxy and extraCaCerts', () => {
  it('inspects an https: URL through the proxy, trusting the private CA', async () => {
    const seen = await inspectUrl(server.url, { proxy: { url: proxy.url }, extraCaCerts: ca.cert })
    expect([seen.failure, seen.status]).toEqual([undefined, 200])
    expect(proxy.connects.map((entry) => entry.target)).toEqual([target()])
    expect(server.jwksRequests).toBe(1)
  })

  it('fails that inspection with a network error without the CA', async () => {
    const seen = await inspectUrl(server.url, { proxy: { url: proxy.url } })
    expect(seen.failure).toBe('network')
    expect(server.jwksRequests).toBe(0)
  })

  it.each([
    ['proxy', { proxy: 'http://proxy.test' }],
    ['extraCaCerts', { extraCaCerts: 'not a certificate' }],
    ['fetch', { proxy: 'env', fetch: globalThis.fetch }],
  ])('throws a TypeError naming %s', async (name, options) => {
    await expect(inspectUrl(server.url, options as InspectUrlOptions)).rejects.toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringContaining(`"${name}`) as unknown,
      }),
    )
  })
})
