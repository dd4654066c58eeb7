import { afterEach, describe, expect, it, vi } from 'vitest'
import { startJwksServer, TestIssuer, type JwksServer } from '../src/index.js'
import { rawGet } from './raw-get.js'

const servers: JwksServer[] = []

async function start(options: Parameters<typeof startJwksServer>[0]): Promise<JwksServer> {
  const server = await startJwksServer(options)
  servers.push(server)
  return server
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('healthy JWKS answers', () => {
  it('serves the issuer JWKS as JSON on loopback', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const server = await start({ issuer })
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.url).toBe(`${server.origin}/.well-known/jwks.json`)
    const res = await fetch(server.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual(issuer.jwks())
  })

  it('reflects rotation and retirement on the next request', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const server = await start({ issuer })
    const old = issuer.signingKey.kid
    const next = await issuer.rotate()
    const kids = async (): Promise<unknown[]> =>
      ((await (await fetch(server.url)).json()) as { keys: { kid: unknown }[] }).keys.map(
        (key) => key.kid,
      )
    expect(await kids()).toEqual([old, next.kid])
    // retireOld drops the key that was signing until now (next), not the oldest one.
    const newest = await issuer.rotate({ retireOld: true })
    expect(await kids()).toEqual([old, newest.kid])
  })

  it('serves the jwks function result on a custom path', async () => {
    let doc: unknown = { keys: [{ kid: 'a' }] }
    const server = await start({ jwks: () => doc, jwksPath: '/keys' })
    expect(server.url).toBe(`${server.origin}/keys`)
    expect(await (await fetch(server.url)).json()).toEqual({ keys: [{ kid: 'a' }] })
    doc = 'not a key set'
    expect(await (await fetch(server.url)).json()).toBe('not a key set')
    expect((await fetch(`${server.origin}/.well-known/jwks.json`)).status).toBe(404)
  })

  it('answers 500 when the jwks function throws', async () => {
    const server = await start({
      jwks: () => {
        throw new Error('test bug')
      },
    })
    expect((await fetch(server.url)).status).toBe(500)
  })

  it('requires an issuer or a jwks function', async () => {
    await expect(startJwksServer({})).rejects.toThrow(TypeError)
  })

  it('answers 404 on other paths', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    expect((await fetch(`${server.origin}/other`)).status).toBe(404)
    expect((await fetch(`${server.origin}/.well-known/openid-configuration`)).status).toBe(404)
  })

  it('adds configured headers to healthy answers only', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    server.setHeaders({ 'cache-control': 'max-age=60' })
    expect((await fetch(server.url)).headers.get('cache-control')).toBe('max-age=60')
    server.setFault({ kind: 'status', status: 503 })
    expect((await fetch(server.url)).headers.get('cache-control')).toBeNull()
    server.setFault(null)
    server.setHeaders({})
    expect((await fetch(server.url)).headers.get('cache-control')).toBeNull()
  })
})

describe('recording', () => {
  it('records every request and counts JWKS requests separately', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    await fetch(`${server.url}?x=1`, { headers: { 'x-test': 'yes' } })
    await fetch(`${server.origin}/nope`, { method: 'POST', body: 'x' })
    expect(server.jwksRequests).toBe(1)
    expect(server.requests).toHaveLength(2)
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      path: '/.well-known/jwks.json?x=1',
      headers: { 'x-test': 'yes' },
    })
    expect(server.requests[0]!.at).toBeGreaterThan(Date.now() - 10_000)
    expect(server.requests[1]).toMatchObject({ method: 'POST', path: '/nope' })
  })

  it('counts JWKS requests that hit a fault', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    server.setFault({ kind: 'status', status: 500 })
    await fetch(server.url)
    expect(server.jwksRequests).toBe(1)
  })

  it('clears requests and counters on reset but keeps the configuration', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    server.setValidators({ etag: true })
    const etag = (await fetch(server.url)).headers.get('etag')!
    await fetch(server.url, { headers: { 'if-none-match': etag } })
    expect(server.responses304).toBe(1)
    server.reset()
    expect(server.requests).toEqual([])
    expect(server.jwksRequests).toBe(0)
    expect(server.responses304).toBe(0)
    expect((await fetch(server.url, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })
})

describe('validators', () => {
  it('answers a matching If-None-Match with an empty 304 and a changed body with 200', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const server = await start({ issuer })
    server.setValidators({ etag: true })
    server.setHeaders({ 'cache-control': 'max-age=30' })
    const first = await fetch(server.url)
    const etag = first.headers.get('etag')
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await fetch(server.url, { headers: { 'if-none-match': etag! } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(etag)
    expect(again.headers.get('cache-control')).toBe('max-age=30')
    expect(server.responses304).toBe(1)

    await issuer.rotate()
    const changed = await fetch(server.url, { headers: { 'if-none-match': etag! } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    expect(await changed.json()).toEqual(issuer.jwks())
    expect(server.responses304).toBe(1)
  })

  it('matches weak and listed entity tags', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    server.setValidators({ etag: true })
    const etag = (await fetch(server.url)).headers.get('etag')!
    const weak = await fetch(server.url, { headers: { 'if-none-match': `"x", W/${etag}` } })
    expect(weak.status).toBe(304)
    const other = await fetch(server.url, { headers: { 'if-none-match': '"x"' } })
    expect(other.status).toBe(200)
  })

  it('answers If-Modified-Since with 304 until the body changes', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const server = await start({ issuer })
    server.setValidators({ lastModified: true })
    const first = await fetch(server.url)
    const lastModified = first.headers.get('last-modified')!
    expect(Number.isNaN(Date.parse(lastModified))).toBe(false)
    expect(first.headers.get('etag')).toBeNull()
    const since = { 'if-modified-since': lastModified }
    const again = await fetch(server.url, { headers: since })
    expect(again.status).toBe(304)
    expect(again.headers.get('last-modified')).toBe(lastModified)
    expect(server.responses304).toBe(1)

    await issuer.rotate()
    const changed = await fetch(server.url, { headers: since })
    expect(changed.status).toBe(200)
    const newer = changed.headers.get('last-modified')!
    expect(Date.parse(newer)).toBeGreaterThan(Date.parse(lastModified))
    expect((await fetch(server.url, { headers: { 'if-modified-since': newer } })).status).toBe(304)
  })

  it('ignores conditional headers while validators are off', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    const res = await fetch(server.url, {
      headers: { 'if-none-match': '*', 'if-modified-since': new Date().toUTCString() },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toBeNull()
    expect(res.headers.get('last-modified')).toBeNull()
  })

  it('keeps a validator on when another one is switched on later', async () => {
    const server = await start({ jwks: () => ({ keys: [] }) })
    server.setValidators({ etag: true })
    server.setValidators({ lastModified: true })
    const res = await fetch(server.url)
    expect(res.headers.get('etag')).not.toBeNull()
    expect(res.headers.get('last-modified')).not.toBeNull()
    server.setValidators({ etag: false })
    expect((await fetch(server.url)).headers.get('etag')).toBeNull()
  })
})

describe('discovery', () => {
  it.each(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])(
    'serves issuer and jwks_uri at %s',
    async (path) => {
      const issuer = await TestIssuer.create({ alg: 'ES256' })
      const server = await start({ issuer, discovery: true })
      const res = await fetch(server.origin + path)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.json()).toEqual({ issuer: issuer.issuer, jwks_uri: server.url })
      expect(server.jwksRequests).toBe(0)
    },
  )

  it('names discoveryIssuer, else the origin, as the issuer', async () => {
    const named = await start({ jwks: () => ({}), discovery: true, discoveryIssuer: 'https://x/' })
    const path = '/.well-known/openid-configuration'
    expect(await (await fetch(named.origin + path)).json()).toMatchObject({ issuer: 'https://x/' })
    const bare = await start({ jwks: () => ({}), discovery: true })
    expect(await (await fetch(bare.origin + path)).json()).toMatchObject({ issuer: bare.origin })
  })

  it('serves an overriding discovery document', async () => {
    const server = await start({ jwks: () => ({}), discoveryDocument: () => ({ jwks_uri: 7 }) })
    const res = await fetch(`${server.origin}/.well-known/oauth-authorization-server`)
    expect(await res.json()).toEqual({ jwks_uri: 7 })
  })

  it('serves discovery only at discoveryPaths when given', async () => {
    const server = await start({
      jwks: () => ({}),
      discovery: true,
      discoveryPaths: ['/.well-known/oauth-authorization-server'],
    })
    expect((await fetch(`${server.origin}/.well-known/openid-configuration`)).status).toBe(404)
    expect((await fetch(`${server.origin}/.well-known/oauth-authorization-server`)).status).toBe(
      200,
    )
  })

  it('keeps serving discovery while the JWKS path is faulted', async () => {
    const server = await start({ jwks: () => ({}), discovery: true })
    server.setFault({ kind: 'status', status: 503 })
    expect((await fetch(`${server.origin}/.well-known/openid-configuration`)).status).toBe(200)
  })
})

describe('close', () => {
  it('finishes promptly with a hung request outstanding', async () => {
    const server = await startJwksServer({ jwks: () => ({ keys: [] }) })
    server.setFault({ kind: 'hang' })
    const pending = fetch(server.url).then(
      () => 'answered',
      () => 'failed',
    )
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const started = performance.now()
    await server.close()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(await pending).toBe('failed')
  })

  it('cancels the timer of a pending delay fault', async () => {
    // Counting active timers is noisy (fetch and vitest keep their own), so watch this one timer.
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout')
    try {
      const server = await startJwksServer({ jwks: () => ({ keys: [] }) })
      server.setFault({ kind: 'delay', ms: 60_000 })
      const pending = rawGet(server.url).catch(() => 'failed')
      while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      const index = setTimeoutSpy.mock.calls.findIndex((args) => args[1] === 60_000)
      const timer: unknown = setTimeoutSpy.mock.results[index]?.value
      expect(timer).toBeDefined()
      expect(clearTimeoutSpy).not.toHaveBeenCalledWith(timer)
      await server.close()
      expect(await pending).toBe('failed')
      expect(clearTimeoutSpy).toHaveBeenCalledWith(timer)
    } finally {
      setTimeoutSpy.mockRestore()
      clearTimeoutSpy.mockRestore()
    }
  })

  it('can be called twice', async () => {
    const server = await startJwksServer({ jwks: () => ({ keys: [] }) })
    await Promise.all([server.close(), server.close()])
    await server.close()
    await expect(fetch(server.url)).rejects.toThrow(TypeError)
  })
})
