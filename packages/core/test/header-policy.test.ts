import { describe, expect, it } from 'vitest'
import {
  checkHeader,
  DEFAULT_TYP_POLICY,
  normaliseMediaType,
  type HeaderPolicy,
} from '../src/header-policy.js'
import { DEFAULT_ALGORITHMS } from '../src/algorithms.js'

const POLICY: HeaderPolicy = {
  algorithms: new Set(DEFAULT_ALGORITHMS),
  typ: DEFAULT_TYP_POLICY,
  typRequired: false,
}

function failure(header: Record<string, unknown>, policy = POLICY): string {
  try {
    checkHeader(header, policy)
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'none'
}

describe('checkHeader', () => {
  it('returns alg and kid of an acceptable header', () => {
    expect(checkHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }, POLICY)).toEqual({
      alg: 'ES256',
      kid: 'k1',
    })
  })

  it.each(['none', 'None', 'NONE', 'nOnE', 'HS256', 'HS512', 'rs256', 'RSA-OAEP', '', 1, null])(
    'rejects alg %j as algorithm_not_allowed',
    (alg) => {
      expect(failure({ alg })).toBe('algorithm_not_allowed')
    },
  )

  it('rejects a missing alg', () => {
    expect(failure({ kid: 'k' })).toBe('algorithm_not_allowed')
  })

  it('rejects an inherited alg name such as toString', () => {
    const policy = { ...POLICY, algorithms: new Set(['toString']) }
    expect(failure({ alg: 'toString' }, policy)).toBe('algorithm_not_allowed')
  })

  it('rejects a supported algorithm that the policy does not list', () => {
    expect(failure({ alg: 'RS256' }, { ...POLICY, algorithms: new Set(['ES256']) })).toBe(
      'algorithm_not_allowed',
    )
  })

  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', 'application/jwt', undefined])(
    'accepts typ %j by default',
    (typ) => {
      expect(failure({ alg: 'RS256', typ })).toBe('none')
    },
  )

  it.each(['dpop+jwt', 'logout+jwt', 'secevent+jwt', 'JWT+id', 'jose', '', 1, null])(
    'rejects typ %j by default',
    (typ) => {
      expect(failure({ alg: 'RS256', typ })).toBe('invalid_type')
    },
  )

  it('rejects an absent typ when the policy requires one', () => {
    expect(failure({ alg: 'RS256' }, { ...POLICY, typRequired: true })).toBe('invalid_type')
  })

  it.each(['JWT', 'jwt', 'application/jwt', 1])('rejects cty %j', (cty) => {
    expect(failure({ alg: 'RS256', cty })).toBe('invalid_type')
  })

  it('accepts a cty that does not announce a nested JWT', () => {
    expect(failure({ alg: 'RS256', cty: 'json' })).toBe('none')
  })

  it.each([[['exp']], [[]], ['b64']])('rejects crit %j', (crit) => {
    expect(failure({ alg: 'RS256', crit })).toBe('malformed_token')
  })

  it.each([false, 'false', 0])('rejects b64 %j', (b64) => {
    expect(failure({ alg: 'RS256', b64 })).toBe('malformed_token')
  })

  it('accepts b64: true, which changes nothing', () => {
    expect(failure({ alg: 'RS256', b64: true })).toBe('none')
  })

  it.each([1, null, ['k'], { k: 1 }, true])('rejects kid %j', (kid) => {
    expect(failure({ alg: 'RS256', kid })).toBe('malformed_token')
  })

  it('ignores jwk, jku, x5u and x5c', () => {
    const header = {
      alg: 'RS256',
      kid: 'k1',
      jwk: { kty: 'RSA' },
      jku: 'https://evil.test/jwks',
      x5u: 'https://evil.test/cert',
      x5c: ['MII'],
    }
    expect(checkHeader(header, POLICY)).toEqual({ alg: 'RS256', kid: 'k1' })
  })
})

describe('normaliseMediaType', () => {
  it.each([
    ['application/AT+JWT', 'at+jwt'],
    ['JWT', 'jwt'],
    ['Application/jwt', 'jwt'],
    ['text/jwt', 'text/jwt'],
  ])('normalises %s to %s', (value, expected) => {
    expect(normaliseMediaType(value)).toBe(expected)
  })
})
