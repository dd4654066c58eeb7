import { gunzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startJwksServer, TestIssuer, type JwksServer } from '../src/index.js'
import { rawGet } from './raw-get.js'

let issuer: TestIssuer
let server: JwksServer

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  server = await startJwksServer({ issuer })
})

afterEach(() => {
  server.setFault(null)
  server.setHeaders({})
  server.setValidators({ etag: false, lastModified: false })
  server.reset()
})

afterAll(async () => {
  await server.close()
})

function elapsedSince(start: number): number {
  return performance.now() - start
}

describe('JWKS faults', () => {
  it('answers a status fault with its headers and body', async () => {
    server.setFault({
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '7', 'content-type': 'text/plain' },
      body: 'down',
    })
    const res = await fetch(server.url)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(await res.text()).toBe('down')
  })

  it('answers a status fault with an empty body by default', async () => {
    server.setFault({ kind: 'status', status: 429 })
    const res = await fetch(server.url)
    expect(res.status).toBe(429)
    expect(await res.text()).toBe('')
  })

  it('delays the whole answer, then serves the valid JWKS', async () => {
    server.setFault({ kind: 'delay', ms: 300 })
    const start = performance.now()
    const res = await fetch(server.url)
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(290)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(issuer.jwks())
  })

  it('sends slow-body headers at once and the body in delayed chunks', async () => {
    server.setFault({ kind: 'slow-body', chunkDelayMs: 200, chunks: 3 })
    const start = performance.now()
    const res = await fetch(server.url)
    const headersAfter = elapsedSince(start)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let reads = 0
    let text = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      reads += 1
      text += Buffer.from(value).toString()
    }
    const bodyAfter = elapsedSince(start)
    // Headers come before the first 200 ms chunk delay; the body needs all three delays.
    expect(headersAfter).toBeLessThan(150)
    expect(bodyAfter).toBeGreaterThanOrEqual(590)
    expect(reads).toBe(3)
    expect(JSON.parse(text)).toEqual(issuer.jwks())
  })

  it('never answers a hung request, so only an abort ends it', async () => {
    server.setFault({ kind: 'hang' })
    const start = performance.now()
    const error = await fetch(server.url, { signal: AbortSignal.timeout(300) }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('TimeoutError')
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(290)
    expect(server.jwksRequests).toBe(1)
  })

  it('resets the connection without a response', async () => {
    server.setFault({ kind: 'reset' })
    const error = await fetch(server.url).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET')
  })

  it('streams a huge chunked body of the requested size that is still the valid JWKS', async () => {
    const bytes = 5 * 1024 * 1024
    server.setFault({ kind: 'huge-body', bytes })
    const res = await fetch(server.url)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('content-length')).toBeNull()
    const body = Buffer.from(await res.arrayBuffer())
    expect(body).toHaveLength(bytes)
    expect(JSON.parse(body.toString())).toEqual(issuer.jwks())
  })

  it('declares the huge body length when asked', async () => {
    server.setFault({ kind: 'huge-body', bytes: 200_000, contentLength: true })
    const res = await fetch(server.url)
    expect(res.headers.get('content-length')).toBe('200000')
    expect((await res.arrayBuffer()).byteLength).toBe(200_000)
  })

  it('sends a small gzip body that inflates to the requested size', async () => {
    const decompressedBytes = 20 * 1024 * 1024 + 123
    server.setFault({ kind: 'gzip-bomb', decompressedBytes })
    const raw = await rawGet(server.url)
    expect(raw.status).toBe(200)
    expect(raw.headers['content-encoding']).toBe('gzip')
    expect(raw.headers['content-type']).toBe('application/json')
    expect(raw.body.length).toBeLessThan(decompressedBytes / 500)
    const inflated = gunzipSync(raw.body)
    expect(inflated).toHaveLength(decompressedBytes)
    expect(JSON.parse(inflated.toString())).toEqual(issuer.jwks())
  })

  it('lets fetch inflate the gzip bomb transparently', async () => {
    server.setFault({ kind: 'gzip-bomb', decompressedBytes: 3_000_000 })
    const res = await fetch(server.url)
    expect((await res.arrayBuffer()).byteLength).toBe(3_000_000)
  })

  it('redirects with 302 by default and a chosen status otherwise', async () => {
    server.setFault({ kind: 'redirect', location: 'http://169.254.169.254/latest' })
    const found = await fetch(server.url, { redirect: 'manual' })
    expect(found.status).toBe(302)
    expect(found.headers.get('location')).toBe('http://169.254.169.254/latest')
    server.setFault({ kind: 'redirect', location: '/elsewhere', status: 308 })
    const permanent = await fetch(server.url, { redirect: 'manual' })
    expect(permanent.status).toBe(308)
    expect(permanent.headers.get('location')).toBe('/elsewhere')
  })

  it('serves an HTML page as a non-JSON answer by default', async () => {
    server.setFault({ kind: 'non-json' })
    const res = await fetch(server.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const text = await res.text()
    expect(text).toMatch(/^<!doctype html>/)
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError)
  })

  it('serves a chosen non-JSON body and content type', async () => {
    server.setFault({ kind: 'non-json', body: '{"keys":[', contentType: 'application/json' })
    const res = await fetch(server.url)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('{"keys":[')
  })

  it('serves an arbitrary JSON value as the body', async () => {
    server.setFault({ kind: 'body', body: 'a string' })
    const res = await fetch(server.url)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('"a string"')
    server.setFault({ kind: 'body', body: { keys: [] } })
    expect(await (await fetch(server.url)).json()).toEqual({ keys: [] })
  })

  it('serves the given keys as the key set', async () => {
    const keys = [{ kty: 'oct', k: 'AA', kid: 'sym' }, ...issuer.jwks().keys]
    server.setFault({ kind: 'keys', keys })
    expect(await (await fetch(server.url)).json()).toEqual({ keys })
  })

  it('applies faults to the JWKS path only', async () => {
    server.setFault({ kind: 'reset' })
    expect((await fetch(`${server.origin}/other`)).status).toBe(404)
  })

  it('returns to health when the fault is cleared', async () => {
    server.setFault({ kind: 'status', status: 500 })
    expect((await fetch(server.url)).status).toBe(500)
    server.setFault(null)
    expect(await (await fetch(server.url)).json()).toEqual(issuer.jwks())
  })
})
