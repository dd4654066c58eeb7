import { privateJwk, symmetricJwk, weakRsaJwk, type JwksFault } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { isKeywardError, type FetchFailureReason, type KeySourceHealth } from '../src/index.js'
import { outcome, startHarness, tally, type Harness } from './support/jwks-harness.js'

const LIFETIME_MS = 600_000 // the default cacheMaxAgeMs
const REFRESH_AT_MS = 0.85 * LIFETIME_MS // with random() = 0.5
const MAX_STALE_MS = 86_400_000 // the default maxStaleMs
let harness: Harness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/** Backoff with random() = 0.5: equal jitter puts each delay at 3/4 of its step. */
function expectedDelayMs(failures: number): number {
  return 0.75 * Math.min(300_000, 1000 * 2 ** (failures - 1))
}

describe('outage after warm-up', () => {
  it(
    'serves every valid token through one simulated hour, retrying on the backoff schedule',
    { timeout: 120_000 },
    async () => {
      harness = await startHarness()
      const { clock, server, verifier } = harness
      await verifier.warmup()
      const t0 = clock.now
      server.setFault({ kind: 'status', status: 503 })
      const longLived = harness.token(3 * 3600)
      const results: string[] = []
      const attempts: number[] = []
      let seen = server.jwksRequests
      let midOutage: KeySourceHealth | undefined
      const tick = async (second: number) => {
        clock.set(t0 + second * 1000)
        results.push(await outcome(verifier, longLived)) // a verified-token cache hit
        if (second % 10 === 0) results.push(await outcome(verifier, harness!.token()))
        await harness!.settle()
        if (server.jwksRequests !== seen) {
          attempts.push(second)
          seen = server.jwksRequests
        }
      }
      for (let second = 1; second <= 3600; second++) {
        await tick(second)
        if (second === 1800) midOutage = verifier.health().issuers[0]
      }
      expect(tally(results)).toEqual({ ok: results.length })

      // The schedule: first at the planned refresh, then 0.75 s, 1.5 s, 3 s... capped at 225 s,
      // each rounded up to the next one-second tick of traffic.
      const expected: number[] = []
      for (let at = REFRESH_AT_MS / 1000, failures = 0; at <= 3600;) {
        expected.push(at)
        failures++
        at = Math.ceil(at + expectedDelayMs(failures) / 1000)
      }
      expect(attempts).toEqual(expected)
      expect(harness.of('jwks_fetch_failure').map((e) => e.retryInMs)).toEqual(
        expected.map((_, i) => expectedDelayMs(i + 1)),
      )
      expect(harness.of('jwks_fetch_failure').every((e) => e.servingLastKnownGood)).toBe(true)

      const failuresBy1800 = expected.filter((at) => at <= 1800).length
      expect(midOutage).toMatchObject({
        state: 'stale',
        staleForMs: 1_200_000,
        lastError: 'http_status',
        consecutiveFailures: failuresBy1800,
        keyIds: [harness.issuer.signingKey.kid],
      })
      expect(midOutage?.nextFetchAt).toBeGreaterThan(t0 + 1_800_000)
      expect(harness.of('jwks_stale_begin')).toMatchObject([{ staleSince: t0 + LIFETIME_MS }])

      // Recovery: the next planned attempt succeeds and says so.
      server.setFault(null)
      let second = 3600
      while (harness.of('jwks_fetch_success').length < 2) await tick(++second)
      expect(second - 3600).toBeLessThanOrEqual(225)
      expect(harness.of('jwks_stale_end')).toMatchObject([
        { outcome: 'recovered', staleForMs: second * 1000 - LIFETIME_MS },
      ])
      expect(verifier.health().issuers[0]).toMatchObject({
        state: 'fresh',
        consecutiveFailures: 0,
        lastError: undefined,
      })
      expect(tally(results)).toEqual({ ok: results.length })
    },
  )

  it(
    'answers 503 with Retry-After once maxStaleMs has passed, never 401 or 500',
    { timeout: 120_000 },
    async () => {
      harness = await startHarness()
      const { clock, server, verifier } = harness
      await verifier.warmup()
      const t0 = clock.now
      server.setFault({ kind: 'reset' })
      const longLived = harness.token(3 * 86_400)
      const byMinute: { minute: number; code: string; status?: number; retryAfter?: string }[] = []
      const attempts: number[] = []
      let seen = server.jwksRequests
      for (let minute = 1; minute <= 25 * 60; minute++) {
        clock.set(t0 + minute * 60_000)
        const tokens = minute % 10 === 0 ? [longLived, harness.token()] : [longLived]
        for (const token of tokens) {
          try {
            await verifier.verify(token)
            byMinute.push({ minute, code: 'ok' })
          } catch (error) {
            if (!isKeywardError(error)) throw error
            const health = verifier.health().issuers[0]!
            const expectedRetryAfter = Math.max(
              1,
              Math.ceil(((health.nextFetchAt ?? 0) - clock.now) / 1000),
            )
            expect(error.headers['Retry-After']).toBe(String(expectedRetryAfter))
            byMinute.push({ minute, code: error.code, status: error.status })
          }
        }
        await harness.settle()
        if (server.jwksRequests !== seen) {
          attempts.push(minute)
          seen = server.jwksRequests
        }
      }
      const expiredAt = (LIFETIME_MS + MAX_STALE_MS) / 60_000
      expect(tally(byMinute.filter((r) => r.minute < expiredAt).map((r) => r.code))).toEqual({
        ok: byMinute.filter((r) => r.minute < expiredAt).length,
      })
      const after = byMinute.filter((r) => r.minute >= expiredAt)
      expect(after.length).toBeGreaterThan(0)
      expect(after.every((r) => r.code === 'jwks_unavailable' && r.status === 503)).toBe(true)
      expect(harness.of('jwks_stale_end')).toMatchObject([
        { outcome: 'expired', staleForMs: MAX_STALE_MS },
      ])
      expect(verifier.health()).toMatchObject({ ready: false, issuers: [{ state: 'unavailable' }] })
      // Still on the capped backoff schedule: never a fetch per request.
      for (let i = 1; i < attempts.length; i++) {
        const gapMs = (attempts[i]! - attempts[i - 1]!) * 60_000
        expect(gapMs).toBeGreaterThanOrEqual(expectedDelayMs(i))
      }
      expect(attempts.length).toBeLessThan(25 * 16 + 10)
    },
  )

  it('never turns an outage into a fetch per request', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    harness.server.setFault({ kind: 'status', status: 500 })
    harness.clock.advance(LIFETIME_MS * 2)
    const tokens = Array.from({ length: 1000 }, () => harness!.token())
    const results = await Promise.all(tokens.map((token) => outcome(harness!.verifier, token)))
    await harness.settle()
    expect(tally(results)).toEqual({ ok: 1000 })
    expect(harness.server.jwksRequests).toBe(2)
    for (const token of tokens.slice(0, 100)) await outcome(harness.verifier, token)
    expect(harness.server.jwksRequests).toBe(2)
  })

  it('answers 503 rather than 401 for a new kid while refreshes fail', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    harness.server.setFault({ kind: 'status', status: 503 })
    harness.clock.advance(REFRESH_AT_MS)
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    await harness.settle()
    await harness.issuer.rotate()
    // Inside the backoff the new kid may probe once (it could be the rotation that ends the
    // outage); the probe fails, and the cached set cannot speak for the new key.
    const error = await harness.verifier.verify(harness.token()).catch((e: unknown) => e)
    expect(isKeywardError(error) && [error.code, error.status]).toEqual(['jwks_unavailable', 503])
    expect(harness.server.jwksRequests).toBe(3)
    // Inside the cooldown: no fetch at all, however many new-kid tokens arrive.
    for (let i = 0; i < 50; i++) {
      expect(await outcome(harness.verifier, harness.token())).toBe('jwks_unavailable')
    }
    expect(harness.server.jwksRequests).toBe(3)
    // Old-key tokens are still served from the last-known-good set.
    expect(
      await outcome(harness.verifier, harness.issuer.mint({}, { key: harness.issuer.keys[0]! })),
    ).toBe('ok')
    // The endpoint recovers; backoff alone would wait minutes, the next cooldown does not.
    harness.server.setFault(null)
    harness.clock.advance(30_000)
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.server.jwksRequests).toBe(4)
  })
  it('retries on the backoff schedule after a failed unknown-kid refresh, keys still fresh', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    harness.server.setFault({ kind: 'status', status: 502 })
    const hidden = await harness.issuer.addKey({ publish: false })
    expect(await outcome(harness.verifier, harness.issuer.mint({}, { key: hidden }))).toBe(
      'jwks_unavailable',
    )
    harness.server.setFault(null)
    // Known-kid traffic drives the retry 750 ms later, long before the planned refresh.
    harness.clock.advance(expectedDelayMs(1))
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    await harness.settle()
    expect(harness.of('jwks_fetch_start').map((e) => e.cause)).toEqual([
      'warmup',
      'unknown_kid',
      'retry',
    ])
    expect(harness.verifier.health().issuers[0]).toMatchObject({ consecutiveFailures: 0 })
  })

  it('accepts a new kid once a retry succeeds, even inside the unknown-kid cooldown', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    // The issuer rotates abruptly while its JWKS endpoint is failing.
    harness.server.setFault({ kind: 'status', status: 502 })
    await harness.issuer.rotate({ retireOld: true })
    expect(await outcome(harness.verifier, harness.token())).toBe('jwks_unavailable')
    expect(harness.of('jwks_fetch_start').at(-1)?.cause).toBe('unknown_kid')
    harness.server.setFault(null)
    // 750 ms later: far inside the 30 s cooldown, but the retry is due.
    harness.clock.advance(expectedDelayMs(1))
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.server.jwksRequests).toBe(3)
  })
})

describe('cold start with the endpoint down', () => {
  it('answers 503 with Retry-After equal to the time to the next attempt, then recovers', async () => {
    harness = await startHarness()
    const { clock, server, verifier } = harness
    server.setFault({ kind: 'reset' })
    const first = await verifier.verify(harness.token()).catch((e: unknown) => e)
    expect(isKeywardError(first) && [first.code, first.status, first.expose]).toEqual([
      'jwks_unavailable',
      503,
      false,
    ])
    expect(isKeywardError(first) && [first.retryAfterMs, first.headers['Retry-After']]).toEqual([
      750,
      '1',
    ])
    // Inside the backoff: quick 503s, no fetch each.
    const burst = await Promise.all(
      Array.from({ length: 100 }, () => outcome(verifier, harness!.token())),
    )
    expect(tally(burst)).toEqual({ jwks_unavailable: 100 })
    expect(server.jwksRequests).toBe(1)
    clock.advance(500)
    const later = await verifier.verify(harness.token()).catch((e: unknown) => e)
    expect(isKeywardError(later) && later.retryAfterMs).toBe(250)
    expect(server.jwksRequests).toBe(1)
    // Due: one request makes the next attempt, which fails again with a doubled delay.
    clock.advance(250)
    const second = await verifier.verify(harness.token()).catch((e: unknown) => e)
    expect(isKeywardError(second) && [second.retryAfterMs, second.headers['Retry-After']]).toEqual([
      1500,
      '2',
    ])
    expect(server.jwksRequests).toBe(2)
    // The endpoint comes back; the next attempt succeeds and everything is accepted.
    server.setFault(null)
    clock.advance(1499)
    expect(await outcome(verifier, harness.token())).toBe('jwks_unavailable')
    clock.advance(1)
    const recovered = await Promise.all(
      Array.from({ length: 100 }, () => outcome(verifier, harness!.token())),
    )
    expect(tally(recovered)).toEqual({ ok: 100 })
    expect(server.jwksRequests).toBe(3)
    expect(harness.of('jwks_fetch_failure').map((e) => [e.reason, e.consecutiveFailures])).toEqual([
      ['network', 1],
      ['network', 2],
    ])
    expect(harness.of('jwks_fetch_success')).toMatchObject([{ cause: 'retry' }])
  })

  it('takes the 503 Retry-After of the endpoint within bounds', async () => {
    harness = await startHarness()
    harness.server.setFault({ kind: 'status', status: 503, headers: { 'retry-after': '30' } })
    const error = await harness.verifier.verify(harness.token()).catch((e: unknown) => e)
    expect(isKeywardError(error) && error.headers['Retry-After']).toBe('30')
  })
})

describe('a failed refresh keeps the previous good keys', () => {
  const cases: {
    name: string
    fault: () => JwksFault | Promise<JwksFault>
    reason: FetchFailureReason
    /** Only the cases that must time out get a short deadline; the rest must not hit one. */
    timeoutMs?: number
  }[] = [
    { name: 'a 500', fault: () => ({ kind: 'status', status: 500 }), reason: 'http_status' },
    { name: 'a 404', fault: () => ({ kind: 'status', status: 404 }), reason: 'http_status' },
    { name: 'a connection reset', fault: () => ({ kind: 'reset' }), reason: 'network' },
    { name: 'a hang', fault: () => ({ kind: 'hang' }), reason: 'timeout', timeoutMs: 300 },
    {
      name: 'a slow body',
      fault: () => ({ kind: 'slow-body', chunkDelayMs: 100, chunks: 10 }),
      reason: 'timeout',
      timeoutMs: 300,
    },
    {
      name: 'a gzip bomb',
      fault: () => ({ kind: 'gzip-bomb', decompressedBytes: 50_000_000 }),
      reason: 'too_large',
    },
    {
      name: 'an oversize chunked body',
      fault: () => ({ kind: 'huge-body', bytes: 2_000_000 }),
      reason: 'too_large',
    },
    {
      name: 'an oversize declared body',
      fault: () => ({ kind: 'huge-body', bytes: 2_000_000, contentLength: true }),
      reason: 'too_large',
    },
    {
      name: 'a redirect',
      fault: () => ({ kind: 'redirect', location: '/elsewhere/jwks.json' }),
      reason: 'redirect',
    },
    { name: 'an HTML page', fault: () => ({ kind: 'non-json' }), reason: 'invalid_json' },
    {
      name: 'a document that is not a key set',
      fault: () => ({ kind: 'body', body: { issuer: 'x' } }),
      reason: 'invalid_shape',
    },
    {
      name: 'an empty key set',
      fault: () => ({ kind: 'body', body: { keys: [] } }),
      reason: 'empty_key_set',
    },
    {
      name: 'a set whose only keys are invalid',
      fault: async () => ({
        kind: 'keys',
        keys: [
          await weakRsaJwk(1024, 'weak'),
          symmetricJwk('hmac'),
          await privateJwk('ES256', 'leaked'),
        ],
      }),
      reason: 'no_usable_keys',
    },
  ]

  it.each(cases)('after $name', async ({ fault, reason, timeoutMs = 5000 }) => {
    // A loaded CI machine may take more than 300 ms to inflate a gzip bomb to the byte cap.
    harness = await startHarness({ jwks: { timeoutMs } })
    const { clock, server, verifier, issuer } = harness
    await verifier.warmup()
    const t0 = clock.now
    const kids = verifier.health().issuers[0]!.keyIds
    const cached = harness.token(3600)
    expect(await outcome(verifier, cached)).toBe('ok')
    server.setFault(await fault())
    clock.set(t0 + REFRESH_AT_MS)
    expect(await outcome(verifier, cached)).toBe('ok')
    await harness.settle()
    expect(harness.of('jwks_fetch_failure')).toMatchObject([
      { reason, cause: 'scheduled', consecutiveFailures: 1, servingLastKnownGood: true },
    ])
    // Past freshness, while the endpoint keeps failing: stale, still verifying.
    clock.set(t0 + LIFETIME_MS + 60_000)
    expect(await outcome(verifier, cached)).toBe('ok')
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    expect(verifier.health().issuers[0]).toMatchObject({
      state: 'stale',
      keyIds: kids,
      lastError: reason,
      consecutiveFailures: 2,
    })
    expect(harness.of('jwks_stale_begin')).toHaveLength(1)
    // Healthy again: recovered, and the keys were never replaced by the bad answer.
    server.setFault(null)
    clock.advance(expectedDelayMs(2))
    expect(await outcome(verifier, cached)).toBe('ok')
    await harness.settle()
    expect(harness.of('jwks_stale_end')).toMatchObject([{ outcome: 'recovered' }])
    expect(harness.of('jwks_keys_rotated')).toEqual([])
    expect(verifier.health().issuers[0]).toMatchObject({ state: 'fresh', keyIds: kids })
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    // A redirect is never followed.
    expect(server.requests.every((r) => r.path === '/.well-known/jwks.json')).toBe(true)
  })

  it('names every key it drops and why', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    const hidden = await harness.issuer.addKey({ publish: false })
    harness.server.setFault({
      kind: 'keys',
      keys: [
        await weakRsaJwk(1024, 'weak'),
        symmetricJwk('hmac'),
        await privateJwk('ES256', 'leaked'),
        { ...hidden.publicJwk, kid: 'for-encryption', use: 'enc' },
      ],
    })
    harness.clock.advance(REFRESH_AT_MS)
    await outcome(harness.verifier, harness.token())
    await harness.settle()
    expect(
      harness.of('jwks_key_dropped').map(({ kid, index, reason }) => [kid, index, reason]),
    ).toEqual([
      ['weak', 0, 'weak_rsa_key'],
      ['hmac', 1, 'symmetric_key'],
      ['leaked', 2, 'private_key'],
      ['for-encryption', 3, 'not_for_signing'],
    ])
    expect(harness.of('jwks_fetch_failure')).toMatchObject([{ reason: 'no_usable_keys' }])
  })

  it('honours Retry-After on 429 and 503 within the backoff bounds', async () => {
    harness = await startHarness()
    const { clock, server, verifier } = harness
    await verifier.warmup()
    const token = harness.token(3600)
    const failAt = async (fault: JwksFault) => {
      server.setFault(fault)
      await outcome(verifier, token)
      await harness!.settle()
      return harness!.of('jwks_fetch_failure').at(-1)!
    }
    clock.advance(REFRESH_AT_MS)
    const limited = await failAt({ kind: 'status', status: 429, headers: { 'retry-after': '120' } })
    expect([limited.httpStatus, limited.retryInMs]).toEqual([429, 120_000])
    clock.advance(119_999)
    expect(await outcome(verifier, token)).toBe('ok')
    expect(server.jwksRequests).toBe(2)
    clock.advance(1)
    // Far beyond the 5-minute cap: capped.
    const capped = await failAt({
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '86400' },
    })
    expect(capped.retryInMs).toBe(300_000)
    expect(server.jwksRequests).toBe(3)
    clock.advance(300_000)
    // An HTTP-date, read against the injected clock.
    const date = new Date(clock.now + 90_000).toUTCString()
    const dated = await failAt({ kind: 'status', status: 503, headers: { 'retry-after': date } })
    expect(dated.retryInMs).toBe(90_000)
    // Shorter than the backoff step: the backoff wins (never sooner than the schedule).
    clock.advance(90_000)
    const short = await failAt({ kind: 'status', status: 429, headers: { 'retry-after': '1' } })
    expect(short.retryInMs).toBe(expectedDelayMs(4))
    // Retry-After on other statuses is not a rate limit signal.
    clock.advance(expectedDelayMs(4))
    const other = await failAt({ kind: 'status', status: 500, headers: { 'retry-after': '120' } })
    expect(other.retryInMs).toBe(expectedDelayMs(5))
  })

  it(
    'survives a flapping endpoint without a rejected token or a fetch per request',
    { timeout: 120_000 },
    async () => {
      harness = await startHarness({ jwks: { timeoutMs: 200 } })
      const { clock, server, verifier, issuer } = harness
      await verifier.warmup()
      const flaps: (JwksFault | null)[] = [
        { kind: 'status', status: 503 },
        null,
        { kind: 'reset' },
        { kind: 'hang' },
        null,
        { kind: 'slow-body', chunkDelayMs: 100, chunks: 5 },
        { kind: 'status', status: 502 },
        null,
      ]
      const results: string[] = []
      let requests = 0
      for (let minute = 0; minute < 120; minute++) {
        // The endpoint changes its mind every 7 minutes.
        server.setFault(flaps[Math.floor(minute / 7) % flaps.length] ?? null)
        // An overlapping rotation every 40 minutes while the endpoint flaps.
        if (minute % 40 === 10) await issuer.addKey()
        if (minute % 40 === 30) issuer.useForSigning(issuer.published.at(-1)!)
        for (let second = 0; second < 60; second += 10) {
          clock.advance(10_000)
          const batch = Array.from({ length: 5 }, () => harness!.token())
          results.push(...(await Promise.all(batch.map((t) => outcome(verifier, t)))))
          requests += batch.length
          await harness.settle()
        }
      }
      expect(tally(results)).toEqual({ ok: results.length })
      expect(server.jwksRequests).toBeLessThan(requests / 20)
      expect(harness.of('jwks_fetch_failure').length).toBeGreaterThan(0)
    },
  )
})
