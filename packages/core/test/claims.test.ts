import { describe, expect, it } from 'vitest'
import { checkClaims, checkTimes, type ClaimsPolicy } from '../src/claims.js'

const NOW = 1_900_000_000_000
const S = NOW / 1000
const POLICY: ClaimsPolicy = {
  audiences: new Set(['https://api.test']),
  clockToleranceMs: 30_000,
  maxTokenAgeMs: undefined,
  maxTokenLifetimeMs: undefined,
  requiredClaims: [],
  identifierClaims: [],
}
const BASE = { aud: 'https://api.test', iat: S - 10, exp: S + 300 }

function failure(
  claims: Record<string, unknown>,
  policy: Partial<ClaimsPolicy> = {},
  now = NOW,
): string {
  try {
    checkClaims(claims, { ...POLICY, ...policy }, now)
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'none'
}

describe('checkClaims', () => {
  it('accepts a token within its lifetime for the audience', () => {
    expect(failure(BASE)).toBe('none')
  })

  it.each([
    ['a string', '9999999999'],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['NaN', Number.NaN],
    ['null', null],
    ['missing', undefined],
  ])('rejects exp as %s with invalid_claim', (_, exp) => {
    expect(failure({ ...BASE, exp })).toBe('invalid_claim')
  })

  it.each([
    ['exp plus tolerance minus 1 ms', S * 1000 + 30_000 - 1, 'none'],
    ['exp plus tolerance', S * 1000 + 30_000, 'token_expired'],
  ])('at %s the answer is %s', (_, now, code) => {
    expect(failure({ ...BASE, iat: S - 600, exp: S }, {}, now)).toBe(code)
  })

  it.each([
    ['nbf', 'token_not_yet_valid'],
    ['iat', 'token_not_yet_valid'],
  ])('rejects %s beyond the tolerance ahead, accepts it at the tolerance', (claim, code) => {
    const claims = { ...BASE, [claim]: S + 30 }
    expect(failure(claims, {}, NOW - 1)).toBe(code)
    expect(failure(claims, {}, NOW)).toBe('none')
  })

  it.each(['nbf', 'iat'])('rejects a non-finite %s', (claim) => {
    expect(failure({ ...BASE, [claim]: '1' })).toBe('invalid_claim')
    expect(failure({ ...BASE, [claim]: Number.NEGATIVE_INFINITY })).toBe('invalid_claim')
  })

  it.each([
    ['a string for another audience', 'https://other.test', 'invalid_audience'],
    ['an array with our audience', ['https://other.test', 'https://api.test'], 'none'],
    ['an array without it', ['https://other.test'], 'invalid_audience'],
    ['an array with a non-string', ['https://api.test', 1], 'invalid_audience'],
    ['an empty array', [], 'invalid_audience'],
    ['missing', undefined, 'invalid_audience'],
    ['an object', { 0: 'https://api.test' }, 'invalid_audience'],
  ])('judges aud as %s: %s', (_, aud, code) => {
    expect(failure({ ...BASE, aud })).toBe(code)
  })

  it('accepts a missing aud when the audience check is off, but not a malformed one', () => {
    expect(failure({ ...BASE, aud: undefined }, { audiences: null })).toBe('none')
    expect(failure({ ...BASE, aud: 'anything' }, { audiences: null })).toBe('none')
    expect(failure({ ...BASE, aud: [] }, { audiences: null })).toBe('invalid_audience')
    expect(failure({ ...BASE, aud: [1] }, { audiences: null })).toBe('invalid_audience')
  })

  it('requires the configured claims to be present and not null', () => {
    const policy = { requiredClaims: ['tenant', 'toString'] }
    expect(failure({ ...BASE, tenant: 'a', toString: 'b' }, policy)).toBe('none')
    expect(failure({ ...BASE, tenant: null, toString: 'b' }, policy)).toBe('invalid_claim')
    expect(failure(Object.assign(Object.create(null), BASE, { tenant: 'a' }), policy)).toBe(
      'invalid_claim',
    )
  })

  it.each(['sub', 'client_id', 'azp', 'jti', 'scope'])('rejects a non-string %s', (claim) => {
    expect(failure({ ...BASE, [claim]: ['x'] })).toBe('invalid_claim')
  })

  it('measures maxTokenAgeMs from iat with the tolerance', () => {
    const policy = { maxTokenAgeMs: 60_000 }
    const claims = { ...BASE, iat: S, exp: S + 3600 }
    expect(failure(claims, policy, NOW + 90_000)).toBe('none')
    expect(failure(claims, policy, NOW + 90_001)).toBe('token_expired')
    expect(failure({ ...claims, iat: undefined }, policy)).toBe('invalid_claim')
  })

  it('bounds exp - iat with maxTokenLifetimeMs', () => {
    const policy = { maxTokenLifetimeMs: 300_000 }
    expect(failure({ ...BASE, iat: S, exp: S + 300 }, policy)).toBe('none')
    expect(failure({ ...BASE, iat: S, exp: S + 300.001 }, policy)).toBe('invalid_claim')
    expect(failure({ ...BASE, iat: undefined }, policy)).toBe('invalid_claim')
  })
})

describe('checkTimes', () => {
  it('re-checks expiry alone, for cached verifications', () => {
    expect(() => {
      checkTimes({ exp: S }, POLICY, NOW + 30_000)
    }).toThrow(expect.objectContaining({ code: 'token_expired' }))
    expect(() => {
      checkTimes({ exp: S, aud: 'ignored' }, POLICY, NOW)
    }).not.toThrow()
  })
})
