import { afterEach, describe, expect, it } from 'vitest'
import type { JwksOptions } from '../src/index.js'
import { outcome, startHarness, type Harness } from './support/jwks-harness.js'

let harness: Harness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/** Seconds (after warm-up) at which fetches happened, driving traffic every second. */
async function fetchSeconds(h: Harness, seconds: number): Promise<number[]> {
  const start = h.clock.now
  const token = h.token(seconds + 600)
  const at: number[] = []
  let seen = h.server.jwksRequests
  for (let second = 1; second <= seconds; second++) {
    h.clock.set(start + second * 1000)
    expect(await outcome(h.verifier, token)).toBe('ok')
    await h.settle()
    if (h.server.jwksRequests !== seen) {
      at.push(second)
      seen = h.server.jwksRequests
    }
  }
  return at
}

describe('Cache-Control', () => {
  it('refreshes on the max-age the response asks for', async () => {
    harness = await startHarness()
    harness.server.setHeaders({ 'cache-control': 'public, max-age=120' })
    await harness.verifier.warmup()
    // Refreshed at 0.85 of each 120 s lifetime (random() = 0.5).
    expect(await fetchSeconds(harness, 600)).toEqual([102, 204, 306, 408, 510])
    expect(harness.of('jwks_fetch_success').map((e) => e.freshForMs)).toEqual(
      Array.from({ length: 6 }, () => 120_000),
    )
  })

  const cases: {
    headers: Record<string, string>
    jwks?: JwksOptions
    freshForMs: number
  }[] = [
    { headers: {}, freshForMs: 600_000 },
    { headers: {}, jwks: { cacheMaxAgeMs: 120_000 }, freshForMs: 120_000 },
    { headers: { 'cache-control': 'max-age=1' }, freshForMs: 60_000 },
    { headers: { 'cache-control': 'max-age=0' }, freshForMs: 60_000 },
    { headers: { 'cache-control': 'no-store' }, freshForMs: 60_000 },
    { headers: { 'cache-control': 'no-cache' }, freshForMs: 60_000 },
    { headers: { 'cache-control': 'max-age=999999' }, freshForMs: 3_600_000 },
    { headers: { 'cache-control': 'max-age=300', age: '100' }, freshForMs: 200_000 },
    { headers: { 'cache-control': 'no-cache="set-cookie", max-age=300' }, freshForMs: 300_000 },
    {
      headers: { 'cache-control': 'max-age=5' },
      jwks: { cacheFloorMs: 10_000, cacheCeilingMs: 900_000 },
      freshForMs: 10_000,
    },
    {
      headers: { 'cache-control': 'max-age=86400' },
      jwks: { cacheFloorMs: 10_000, cacheCeilingMs: 900_000 },
      freshForMs: 900_000,
    },
  ]

  it.each(cases)('keeps keys fresh for $freshForMs ms with $headers and $jwks', async (c) => {
    harness = await startHarness({ jwks: c.jwks })
    harness.server.setHeaders(c.headers)
    await harness.verifier.warmup()
    const start = harness.clock.now
    expect(harness.of('jwks_fetch_success')[0]?.freshForMs).toBe(c.freshForMs)
    const token = harness.token(7200)
    harness.clock.set(start + 0.85 * c.freshForMs - 1)
    await outcome(harness.verifier, token)
    await harness.settle()
    expect(harness.server.jwksRequests).toBe(1)
    harness.clock.set(start + 0.85 * c.freshForMs)
    await outcome(harness.verifier, token)
    await harness.settle()
    expect(harness.server.jwksRequests).toBe(2)
  })
})

describe('conditional requests', () => {
  it('revalidates with If-None-Match; each 304 counts as a success that extends freshness', async () => {
    harness = await startHarness()
    const { server, verifier, issuer } = harness
    server.setValidators({ etag: true })
    server.setHeaders({ 'cache-control': 'max-age=60' })
    await verifier.warmup()
    const etag = server.requests[0]?.headers['if-none-match']
    expect(etag).toBeUndefined()
    // 0.85 × 60 s = 51 s between revalidations, each measured from the last 304.
    expect(await fetchSeconds(harness, 600)).toEqual([
      51, 102, 153, 204, 255, 306, 357, 408, 459, 510, 561,
    ])
    expect(server.jwksRequests).toBe(12)
    expect(server.responses304).toBe(11)
    const conditional = server.requests.slice(1)
    expect(new Set(conditional.map((r) => r.headers['if-none-match'])).size).toBe(1)
    expect(conditional[0]?.headers['if-none-match']).toMatch(/^"[\w-]+"$/)
    const successes = harness.of('jwks_fetch_success')
    expect(successes.map((e) => e.notModified)).toEqual([false, ...Array<boolean>(11).fill(true)])
    expect(verifier.health().issuers[0]?.fetchedAt).toBe(harness.clock.now - 39_000)

    // A rotation changes the body: the next revalidation gets a 200 with the new keys.
    const next = await issuer.rotate()
    const before304 = server.responses304
    harness.clock.advance(51_000 - 39_000)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    expect(server.responses304).toBe(before304)
    expect(harness.of('jwks_keys_rotated')).toMatchObject([{ added: [next.kid], removed: [] }])
    // The new validator is used from then on.
    expect(harness.of('jwks_fetch_start').filter((e) => e.cause === 'unknown_kid')).toEqual([])
    harness.clock.advance(51_000)
    await outcome(verifier, harness.token())
    await harness.settle()
    expect(server.responses304).toBe(before304 + 1)
    const last = server.requests.at(-1)?.headers['if-none-match']
    expect(last).not.toBe(conditional[0]?.headers['if-none-match'])
  })

  it('revalidates with If-Modified-Since', async () => {
    harness = await startHarness()
    const { server, verifier } = harness
    server.setValidators({ lastModified: true })
    await verifier.warmup()
    expect(await fetchSeconds(harness, 1200)).toEqual([510, 1020])
    expect(server.responses304).toBe(2)
    const sent = server.requests.slice(1).map((r) => r.headers['if-modified-since'])
    expect(sent).toEqual(['Mon, 01 Jan 2024 00:00:00 GMT', 'Mon, 01 Jan 2024 00:00:00 GMT'])
    expect(server.requests.slice(1).every((r) => r.headers['if-none-match'] === undefined)).toBe(
      true,
    )
  })

  it('sends both validators when it has both', async () => {
    harness = await startHarness()
    harness.server.setValidators({ etag: true, lastModified: true })
    await harness.verifier.warmup()
    await fetchSeconds(harness, 510)
    const headers = harness.server.requests[1]?.headers
    expect(headers?.['if-none-match']).toBeDefined()
    expect(headers?.['if-modified-since']).toBeDefined()
    expect(harness.server.responses304).toBe(1)
  })

  it('takes the freshness of the 304 itself', async () => {
    harness = await startHarness()
    harness.server.setValidators({ etag: true })
    harness.server.setHeaders({ 'cache-control': 'max-age=60' })
    await harness.verifier.warmup()
    harness.server.setHeaders({ 'cache-control': 'max-age=300' })
    expect(await fetchSeconds(harness, 600)).toEqual([51, 51 + 255, 51 + 510])
    expect(harness.of('jwks_fetch_success').map((e) => [e.notModified, e.freshForMs])).toEqual([
      [false, 60_000],
      [true, 300_000],
      [true, 300_000],
      [true, 300_000],
    ])
  })

  it('ends a stale period with a 304', async () => {
    harness = await startHarness()
    const { server, verifier, clock } = harness
    server.setValidators({ etag: true })
    await verifier.warmup()
    const token = harness.token(7200)
    server.setFault({ kind: 'status', status: 503 })
    clock.advance(700_000)
    expect(await outcome(verifier, token)).toBe('ok')
    await harness.settle()
    expect(verifier.health().issuers[0]?.state).toBe('stale')
    server.setFault(null)
    clock.advance(750)
    expect(await outcome(verifier, token)).toBe('ok')
    await harness.settle()
    expect(server.responses304).toBe(1)
    expect(harness.of('jwks_stale_end')).toMatchObject([
      { outcome: 'recovered', staleForMs: 100_750 },
    ])
    expect(verifier.health().issuers[0]).toMatchObject({ state: 'fresh', consecutiveFailures: 0 })
  })

  it('never sends validators without keys to validate, and refuses an unasked-for 304', async () => {
    harness = await startHarness({ jwks: { maxStaleMs: 60_000 } })
    const { server, verifier, clock } = harness
    server.setFault({ kind: 'status', status: 304 })
    expect(await outcome(verifier, harness.token())).toBe('jwks_unavailable')
    expect(harness.of('jwks_fetch_failure')).toMatchObject([
      { reason: 'http_status', httpStatus: 304 },
    ])
    server.setFault(null)
    server.setValidators({ etag: true })
    clock.advance(750)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    // Stale during an outage: the retry is conditional.
    server.setFault({ kind: 'status', status: 500 })
    clock.advance(610_000)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    // Past maxStaleMs the keys are gone, and so are their validators.
    clock.advance(60_000)
    expect(await outcome(verifier, harness.token())).toBe('jwks_unavailable')
    server.setFault(null)
    clock.advance(300_000)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    const unconditional = server.requests.map((r) => r.headers['if-none-match'] === undefined)
    expect(unconditional).toEqual([true, true, false, true, true])
  })
})
