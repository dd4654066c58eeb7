import type { IssuerHealth, Verifier } from '@keyward/core'
import { describe, expect, it } from 'vitest'
import { KeyFetchLog } from '../src/fetch-log.js'
import { healthReport } from '../src/health.js'

function verifierIn(state: IssuerHealth['state']): Pick<Verifier, 'health'> {
  const issuer = { issuer: 'http://127.0.0.1:1', state } as IssuerHealth
  return {
    health: () => ({ ready: state !== 'unavailable', issuers: [issuer], tenants: undefined }),
  }
}

describe('healthReport', () => {
  it('is ready with fresh keys and with last-known-good keys, and 503 without keys', () => {
    const log = new KeyFetchLog('api', () => undefined)
    expect(healthReport('api', verifierIn('fresh'), log)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    })
    expect(healthReport('api', verifierIn('stale'), log)).toMatchObject({
      status: 200,
      body: { status: 'stale' },
    })
    expect(healthReport('api', verifierIn('unavailable'), log)).toMatchObject({
      status: 503,
      body: { status: 'unavailable' },
    })
  })
})

describe('KeyFetchLog', () => {
  it('counts fetches by cause and logs failures with the service name', () => {
    const lines: string[] = []
    const log = new KeyFetchLog('koa-api', (line) => lines.push(line))
    const ids = { issuer: 'http://127.0.0.1:1', jwksUri: 'http://127.0.0.1:1/jwks' }
    log.onEvent({ type: 'jwks_fetch_start', ...ids, cause: 'warmup' })
    log.onEvent({ type: 'jwks_fetch_start', ...ids, cause: 'unknown_kid' })
    log.onEvent({ type: 'jwks_fetch_start', ...ids, cause: 'unknown_kid' })
    log.onEvent({
      type: 'jwks_fetch_failure',
      ...ids,
      cause: 'unknown_kid',
      reason: 'http_status',
      httpStatus: 503,
      url: ids.jwksUri,
      misconfigured: false,
      expected: undefined,
      received: undefined,
      durationMs: 3,
      consecutiveFailures: 1,
      retryInMs: 900,
      servingLastKnownGood: true,
    })
    expect(log.counts()).toEqual({
      initial: 0,
      warmup: 1,
      scheduled: 0,
      retry: 0,
      unknown_kid: 2,
      manual: 0,
    })
    expect(lines).toEqual([
      '[koa-api] key fetch failed (unknown_kid): http_status 503, retry in 900 ms, last-known-good: yes',
    ])
  })
})
