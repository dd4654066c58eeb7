// Log audit: the whole attack suite runs again here with `onEvent`, every `keyward:*`
// diagnostics channel and an app logger attached (the logger prints each error with its cause
// chain, as pino and console.error do). Afterwards, no token, signature segment or secret the
// suite sent may appear in any event, log line or HTTP answer (DESIGN.md: never log a token or
// its signature).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditState, findLeaks, startChannelAudit, stopChannelAudit } from './support/audit.js'
import './format.test.js'
import './header.test.js'
import './signature.test.js'
import './claims.test.js'
import './jwks-endpoint.test.js'
import './http.test.js'
import './dpop.test.js'

beforeAll(() => {
  startChannelAudit()
})
afterAll(() => {
  stopChannelAudit()
})

describe('log audit', () => {
  it('finds a planted leak (the audit itself can fail)', () => {
    const secret = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLXNlZ21lbnQ'
    const leaks = findLeaks([`log {"msg":"rejected","token":"${secret}"}`], [secret])
    expect(leaks).toHaveLength(1)
  })

  it('saw the suite: events from onEvent and diagnostics_channel, logs, answers and secrets', () => {
    const { records, secrets } = auditState()
    const count = (prefix: string): number => records.filter((r) => r.startsWith(prefix)).length
    expect(secrets.size).toBeGreaterThan(300)
    expect(count('onEvent ')).toBeGreaterThan(300)
    expect(count('diagnostics_channel ')).toBeGreaterThan(300)
    expect(count('log ')).toBeGreaterThan(300)
    expect(count('response ')).toBeGreaterThan(300)
    // Every kind of event the suite provokes reached the channels.
    for (const type of [
      'token_rejected',
      'jwks_fetch_failure',
      'jwks_key_dropped',
      'jwks_fetch_success',
    ]) {
      expect(
        records.some((r) => r.startsWith('diagnostics_channel ') && r.includes(`"type":"${type}"`)),
      ).toBe(true)
    }
  })

  it('never lets a token, a signature segment or a secret into an event, a log line or an answer', () => {
    expect(findLeaks()).toEqual([])
  })
})
