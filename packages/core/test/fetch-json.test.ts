import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FetchFailure, fetchJson, type FetchJsonOptions } from '../src/fetch-json.js'

let issuer: TestIssuer
let server: JwksServer

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  server = await startJwksServer({ issuer })
})

afterAll(async () => {
  await server.close()
})

beforeEach(() => {
  server.setFault(null)
  server.setHeaders({})
  server.setValidators({ etag: false, lastModified: false })
  server.reset()
})

function options(overrides: Partial<FetchJsonOptions> = {}): FetchJsonOptions {
  return {
    fetch: globalThis.fetch.bind(globalThis),
    timeoutMs: 2000,
    maxBytes: 512 * 1024,
    headers: {},
    signal: new AbortController().signal,
    now: Date.now,
    ...overrides,
  }
}

/** The FetchFailure a fetch rejects with, and how long it took. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ error: FetchFailure; elapsedMs: number }> {
  const started = performance.now()
  try {
    await promise
  } catch (error) {
    if (!(error instanceof FetchFailure)) throw error
    return { error, elapsedMs: performance.now() - started }
  }
  throw new Error('expected a FetchFailure')
}

describe('a healthy answer', () => {
  it('returns the parsed document with its validators and freshness', async () => {
    server.setValidators({ etag: true, lastModified: true })
    server.setHeaders({ 'cache-control': 'max-age=60' })
    const result = await fetchJson(server.url, options())
    expect(result).toEqual({
      kind: 'document',
      body: issuer.jwks(),
      etag: expect.stringMatching(/^"/) as unknown,
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
      freshnessMs: 60_000,
    })
  })

  it('asks for JSON and sends the configured headers', async () => {
    await fetchJson(
      server.url,
      options({ headers: { 'user-agent': 'keyward-test', 'x-api-key': 'k' } }),
    )
    expect(server.requests[0]?.headers).toMatchObject({
      accept: 'application/json',
      'user-agent': 'keyward-test',
      'x-api-key': 'k',
    })
  })

  it('revalidates with the validators it is given and reports a 304 as not modified', async () => {
    server.setValidators({ etag: true, lastModified: true })
    server.setHeaders({ 'cache-control': 'max-age=120' })
    const first = await fetchJson(server.url, options())
    if (first.kind !== 'document') throw new Error('expected a document')
    const second = await fetchJson(
      server.url,
      options({ etag: first.etag, lastModified: first.lastModified }),
    )
    expect(second).toEqual({ kind: 'not_modified', freshnessMs: 120_000 })
    expect(server.requests[1]?.headers).toMatchObject({
      'if-none-match': first.etag,
      'if-modified-since': first.lastModified,
    })
    expect(server.responses304).toBe(1)
  })

  it('decompresses a gzip body within the size limit', async () => {
    server.setFault({ kind: 'gzip-bomb', decompressedBytes: 100_000 })
    const result = await fetchJson(server.url, options())
    expect(result.kind === 'document' && result.body).toEqual(issuer.jwks())
  })
})

describe('refused answers', () => {
  it.each([301, 302, 303, 307, 308])('does not follow a %i redirect', async (status) => {
    server.setFault({ kind: 'redirect', location: '/.well-known/other.json', status })
    const { error } = await failure(fetchJson(server.url, options()))
    expect([error.reason, error.httpStatus]).toEqual(['redirect', status])
    expect(server.requests.map((r) => r.path)).toEqual(['/.well-known/jwks.json'])
  })

  it('refuses a 304 it did not ask for', async () => {
    server.setFault({ kind: 'status', status: 304 })
    const { error } = await failure(fetchJson(server.url, options()))
    expect([error.reason, error.httpStatus]).toEqual(['http_status', 304])
  })

  it.each([201, 204, 404, 500, 502])('refuses a %i', async (status) => {
    server.setFault({ kind: 'status', status, body: JSON.stringify(issuer.jwks()) })
    const { error } = await failure(fetchJson(server.url, options()))
    expect([error.reason, error.httpStatus, error.retryAfterMs]).toEqual([
      'http_status',
      status,
      undefined,
    ])
  })

  it('reads Retry-After on 429 and 503 only', async () => {
    const now = Date.UTC(2030, 0, 1)
    const cases: [number, string, number | undefined][] = [
      [429, '120', 120_000],
      [503, new Date(now + 45_000).toUTCString(), 45_000],
      [503, 'soon', undefined],
      [500, '120', undefined],
    ]
    for (const [status, retryAfter, expected] of cases) {
      server.setFault({ kind: 'status', status, headers: { 'retry-after': retryAfter } })
      const { error } = await failure(fetchJson(server.url, options({ now: () => now })))
      expect([error.httpStatus, error.retryAfterMs]).toEqual([status, expected])
    }
  })

  it('refuses a body that is not JSON', async () => {
    server.setFault({ kind: 'non-json' })
    const { error } = await failure(fetchJson(server.url, options()))
    expect(error.reason).toBe('invalid_json')
  })

  it('refuses a body that is not UTF-8', async () => {
    const fetch = () =>
      Promise.resolve(new Response(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { status: 200 }))
    const { error } = await failure(fetchJson('https://issuer.test/jwks', options({ fetch })))
    expect(error.reason).toBe('invalid_json')
  })
})

describe('size limit', () => {
  it('refuses an oversize body by its declared length without reading it', async () => {
    server.setFault({ kind: 'huge-body', bytes: 1_000_000_000, contentLength: true })
    const { error, elapsedMs } = await failure(
      fetchJson(server.url, options({ timeoutMs: 10_000 })),
    )
    expect(error.reason).toBe('too_large')
    expect(elapsedMs).toBeLessThan(3000)
  })

  it('counts the bytes of a chunked body and stops at the limit', async () => {
    server.setFault({ kind: 'huge-body', bytes: 1_000_000_000 })
    const { error, elapsedMs } = await failure(
      fetchJson(server.url, options({ timeoutMs: 10_000 })),
    )
    expect(error.reason).toBe('too_large')
    expect(elapsedMs).toBeLessThan(3000)
  })

  it('accepts a body of exactly maxBytes', async () => {
    const bytes = JSON.stringify(issuer.jwks()).length + 1000
    server.setFault({ kind: 'huge-body', bytes })
    await expect(fetchJson(server.url, options({ maxBytes: bytes }))).resolves.toMatchObject({
      kind: 'document',
    })
    const { error } = await failure(fetchJson(server.url, options({ maxBytes: bytes - 1 })))
    expect(error.reason).toBe('too_large')
  })

  it('stops inflating a gzip bomb at the limit', async () => {
    server.setFault({ kind: 'gzip-bomb', decompressedBytes: 1_000_000_000 })
    const { error } = await failure(fetchJson(server.url, options({ timeoutMs: 10_000 })))
    // Refused for its size, long before the deadline.
    expect(error.reason).toBe('too_large')
  })
})

describe('deadline and network failures', () => {
  it('times out an endpoint that never answers', async () => {
    server.setFault({ kind: 'hang' })
    const { error, elapsedMs } = await failure(fetchJson(server.url, options({ timeoutMs: 200 })))
    expect(error.reason).toBe('timeout')
    expect(elapsedMs).toBeGreaterThanOrEqual(190)
    expect(elapsedMs).toBeLessThan(2000)
  })

  it('cuts a slow body at the timeout, which covers the whole exchange', async () => {
    // Headers at once, then ten chunks 400 ms apart: four seconds in all.
    server.setFault({ kind: 'slow-body', chunkDelayMs: 400, chunks: 10 })
    const { error, elapsedMs } = await failure(fetchJson(server.url, options({ timeoutMs: 250 })))
    expect(error.reason).toBe('timeout')
    expect(elapsedMs).toBeLessThan(2500)
  })

  it('accepts a slow body that finishes inside the timeout', async () => {
    server.setFault({ kind: 'slow-body', chunkDelayMs: 20, chunks: 5 })
    await expect(fetchJson(server.url, options({ timeoutMs: 2000 }))).resolves.toMatchObject({
      kind: 'document',
    })
  })

  it('holds the deadline against an injected fetch that ignores its signal', async () => {
    const fetch = () => new Promise<Response>(() => undefined)
    const { error, elapsedMs } = await failure(
      fetchJson('https://issuer.test/jwks', options({ fetch, timeoutMs: 100 })),
    )
    expect(error.reason).toBe('timeout')
    expect(elapsedMs).toBeLessThan(3000)
  })

  it('holds the deadline against a body stream that never ends', async () => {
    const fetch = () =>
      Promise.resolve(
        new Response(new ReadableStream({ pull: () => new Promise<void>(() => undefined) }), {
          status: 200,
        }),
      )
    const { error } = await failure(
      fetchJson('https://issuer.test/jwks', options({ fetch, timeoutMs: 100 })),
    )
    expect(error.reason).toBe('timeout')
  })

  it('reports a reset connection as a network failure', async () => {
    server.setFault({ kind: 'reset' })
    const { error } = await failure(fetchJson(server.url, options()))
    expect(error.reason).toBe('network')
  })

  it('reports a refused connection as a network failure', async () => {
    const closed = await startJwksServer({ issuer })
    await closed.close()
    const { error } = await failure(fetchJson(closed.url, options()))
    expect(error.reason).toBe('network')
  })

  it('gives up at once when the caller aborts', async () => {
    server.setFault({ kind: 'hang' })
    const controller = new AbortController()
    const pending = failure(
      fetchJson(server.url, options({ signal: controller.signal, timeoutMs: 10_000 })),
    )
    setTimeout(() => {
      controller.abort()
    }, 50)
    const { error, elapsedMs } = await pending
    expect(error.reason).toBe('network')
    expect(elapsedMs).toBeLessThan(5000)
  })

  it('sends nothing when the caller has already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const { error } = await failure(fetchJson(server.url, options({ signal: controller.signal })))
    expect(error.reason).toBe('network')
    expect(server.jwksRequests).toBe(0)
  })
})
