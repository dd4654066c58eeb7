import { afterEach, describe, expect, it } from 'vitest'
import { FetchFailure } from '../src/fetch-failure.js'
import { OperatorLog } from '../src/operator-log.js'
import { outcome, startHarness, type Harness } from './support/jwks-harness.js'

const harnesses: Harness[] = []
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close()
})

async function logged(): Promise<{ harness: Harness; lines: string[] }> {
  const lines: string[] = []
  const harness = await startHarness({
    settings: { logger: { warn: (line: string) => lines.push(line) } },
  })
  harnesses.push(harness)
  return { harness, lines }
}

// Issue 21, problem 3: an issuer mismatch had no server-side hint.
describe('the first refusal of an issuer for an iss or aud mismatch', () => {
  it('logs one line with the configured issuer, the received iss and the trailing-slash hint', async () => {
    const { harness, lines } = await logged()
    const configured = harness.issuer.issuer
    const slashed = configured.endsWith('/') ? configured.slice(0, -1) : `${configured}/`
    const token = harness.issuer.mint({
      iss: slashed,
      exp: Math.floor(harness.clock.now / 1000) + 60,
    })
    expect(await outcome(harness.verifier, token)).toBe('invalid_issuer')
    expect(await outcome(harness.verifier, token)).toBe('invalid_issuer')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(JSON.stringify(slashed))
    expect(lines[0]).toContain(JSON.stringify(configured))
    expect(lines[0]).toContain('trailing slash')
    // Never the token, nor its signature.
    for (const part of token.split('.')) expect(lines[0]).not.toContain(part)
  })

  it('logs one line per issuer with the configured and received audiences', async () => {
    const { harness, lines } = await logged()
    const exp = Math.floor(harness.clock.now / 1000) + 60
    expect(await outcome(harness.verifier, harness.issuer.mint({ aud: 'urn:other', exp }))).toBe(
      'invalid_audience',
    )
    expect(await outcome(harness.verifier, harness.issuer.mint({ aud: ['x', 'y'], exp }))).toBe(
      'invalid_audience',
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('"urn:other"')
    expect(lines[0]).toContain(JSON.stringify(harness.issuer.audience))
  })

  it('writes nothing for other refusals, nor with logger: false', async () => {
    const { harness, lines } = await logged()
    expect(await outcome(harness.verifier, harness.token(-3600))).toBe('token_expired')
    expect(lines).toEqual([])
  })
})

describe('OperatorLog', () => {
  it('stops after 16 distinct iss values, so hostile tokens cannot flood the log', () => {
    const lines: string[] = []
    const log = new OperatorLog({ warn: (line) => lines.push(line) })
    for (let i = 0; i < 100; i++) {
      log.tokenRefused(
        'invalid_issuer',
        { iss: `https://evil${String(i)}.test` },
        { issuers: ['a'] },
      )
    }
    expect(lines).toHaveLength(16)
  })

  it('quotes received values, so a line break in a claim never starts a new log line', () => {
    const lines: string[] = []
    const log = new OperatorLog({ warn: (line) => lines.push(line) })
    log.tokenRefused('invalid_issuer', { iss: 'x\nkeyward: forged line' }, { issuers: ['a'] })
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain('\n')
  })

  it('names the issuers option instead of an empty list when tenant issuers decide', () => {
    const lines: string[] = []
    const log = new OperatorLog({ warn: (line) => lines.push(line) })
    log.tokenRefused('invalid_issuer', { iss: 'https://other.test/' }, { issuers: [] })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('"issuers" template or resolver')
    expect(lines[0]).not.toContain('expected .')
  })

  it('survives a throwing logger', () => {
    const log = new OperatorLog({
      warn: () => {
        throw new Error('disk full')
      },
    })
    expect(() => {
      log.keysFailed('https://a.test', new FetchFailure('timeout'), false, 1000)
    }).not.toThrow()
  })

  it('names the code, the URL and the consequence of a failed key fetch', () => {
    const lines: string[] = []
    const log = new OperatorLog({ warn: (line) => lines.push(line) })
    const failure = new FetchFailure('http_status', { httpStatus: 404, url: 'https://a.test/j' })
    log.keysFailed('https://a.test', failure, false, 1000)
    log.keysFailed('https://a.test', new FetchFailure('timeout'), true, 1000)
    expect(lines[0]).toMatch(
      /^keyward: keys of issuer "https:\/\/a\.test" cannot be loaded \(jwks_misconfigured\): GET https:\/\/a\.test\/j answered 404/,
    )
    expect(lines[1]).toContain('cannot be refreshed (jwks_unavailable)')
  })
})
