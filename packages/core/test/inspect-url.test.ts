import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { inspectIssuerMetadata, inspectUrl } from '../src/index.js'

let issuer: TestIssuer
let server: JwksServer

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  server = await startJwksServer({ issuer, discovery: true, discoveryIssuer: 'ignored' })
})

afterAll(async () => {
  await server.close()
})

beforeEach(() => {
  server.setFault(null)
  server.setHeaders({})
  server.reset()
})

describe('inspectUrl', () => {
  it('reports status, headers, sizes, freshness and the parsed body of a healthy answer', async () => {
    server.setHeaders({ 'cache-control': 'public, max-age=300', etag: '"v1"' })
    const seen = await inspectUrl(server.url)
    const size = Buffer.byteLength(JSON.stringify(issuer.jwks()))
    expect(seen).toMatchObject({
      url: server.url,
      failure: undefined,
      status: 200,
      contentType: 'application/json',
      contentEncoding: undefined,
      declaredBytes: size,
      bodyBytes: size,
      location: undefined,
      freshnessMs: 300_000,
      body: issuer.jwks(),
    })
    expect(seen.headers).toMatchObject({ 'cache-control': 'public, max-age=300', etag: '"v1"' })
  })

  it('reports a redirect and its location without following it', async () => {
    server.setFault({ kind: 'redirect', location: 'https://elsewhere.example/jwks', status: 301 })
    const seen = await inspectUrl(server.url)
    expect(seen).toMatchObject({
      failure: 'redirect',
      status: 301,
      location: 'https://elsewhere.example/jwks',
      body: undefined,
    })
    expect(server.requests).toHaveLength(1)
  })

  it('reports an error status with its headers', async () => {
    server.setFault({ kind: 'status', status: 503, headers: { 'retry-after': '30' } })
    const seen = await inspectUrl(server.url)
    expect(seen).toMatchObject({ failure: 'http_status', status: 503 })
    expect(seen.headers['retry-after']).toBe('30')
  })

  it('stops at the deadline and reports a timeout', async () => {
    server.setFault({ kind: 'hang' })
    const seen = await inspectUrl(server.url, { timeoutMs: 200 })
    expect(seen.failure).toBe('timeout')
    expect(seen.status).toBeUndefined()
    expect(seen.durationMs).toBeGreaterThanOrEqual(190)
    expect(seen.durationMs).toBeLessThan(2000)
  })

  it('stops reading past maxBytes after decompression and reports the answer as too large', async () => {
    server.setFault({ kind: 'gzip-bomb', decompressedBytes: 4 * 1024 * 1024 })
    const seen = await inspectUrl(server.url, { maxBytes: 64 * 1024 })
    expect(seen).toMatchObject({ failure: 'too_large', status: 200, contentEncoding: 'gzip' })
    expect(seen.bodyBytes).toBeGreaterThan(64 * 1024)
    expect(seen.bodyBytes).toBeLessThan(4 * 1024 * 1024)
    expect(seen.declaredBytes ?? 0).toBeLessThan(64 * 1024)
  })

  it('reports a body that is not JSON, with its content type', async () => {
    server.setFault({ kind: 'non-json' })
    const seen = await inspectUrl(server.url)
    expect(seen).toMatchObject({
      failure: 'invalid_json',
      status: 200,
      contentType: 'text/html; charset=utf-8',
    })
  })

  it('fetches nothing from a plain http URL that is not loopback', async () => {
    let calls = 0
    const seen = await inspectUrl('http://auth.example.com/jwks', {
      fetch: () => {
        calls++
        return Promise.reject(new Error('not expected'))
      },
    })
    expect(seen).toMatchObject({ failure: 'unsafe_url', status: undefined, headers: {} })
    expect(calls).toBe(0)
  })

  it('judges a discovered URL by the issuer that named it', async () => {
    const internal = 'https://10.0.0.7/jwks'
    expect(
      (await inspectUrl(internal, { discoveredFrom: 'https://auth.example.com' })).failure,
    ).toBe('unsafe_url')
    const loopback = await inspectUrl(server.url, { discoveredFrom: 'https://auth.example.com' })
    expect(loopback.failure).toBe('unsafe_url')
    const local = await inspectUrl(server.url, { discoveredFrom: server.origin })
    expect(local).toMatchObject({ failure: undefined, status: 200 })
  })

  it('names the system error of a refused connection', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => {
      closed.close(() => {
        resolve()
      })
    })
    const seen = await inspectUrl(`http://127.0.0.1:${port}/jwks`)
    expect(seen).toMatchObject({ failure: 'network', errorCode: 'ECONNREFUSED' })
  })

  it('sends the given headers', async () => {
    await inspectUrl(server.url, { headers: { 'user-agent': 'keyward-audit-test' } })
    expect(server.requests[0]?.headers['user-agent']).toBe('keyward-audit-test')
  })
})

describe('inspectIssuerMetadata', () => {
  it('stops at the OpenID Connect discovery document when it answers', async () => {
    const { found, attempts } = await inspectIssuerMetadata(server.origin)
    expect(attempts.map((attempt) => attempt.url)).toEqual([
      `${server.origin}/.well-known/openid-configuration`,
    ])
    expect(found?.body).toEqual({ issuer: 'ignored', jwks_uri: server.url })
  })

  it('tries RFC 8414 after an error status, and reports both attempts', async () => {
    const { found, attempts } = await inspectIssuerMetadata(`${server.origin}/tenant`)
    expect(attempts.map((attempt) => [attempt.url, attempt.status])).toEqual([
      [`${server.origin}/tenant/.well-known/openid-configuration`, 404],
      [`${server.origin}/.well-known/oauth-authorization-server/tenant`, 404],
    ])
    expect(found).toBeUndefined()
  })
})
