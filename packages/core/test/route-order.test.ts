import { describe, expect, it } from 'vitest'
import { checkRouteOrder, isRouteOrderError, RouteOrderError } from '../src/route-order.js'
import type { VerifiedToken } from '../src/verified-token.js'
import type { ChallengeOptions } from '../src/www-authenticate.js'

// Only its presence matters to the rule: a check never reads it here.
const AUTH = Object.freeze({ subject: 'user-1' }) as unknown as VerifiedToken
const RAN_WITHOUT_TOKEN: ChallengeOptions = Object.freeze({ realm: 'api' })

/** The error `checkRouteOrder` throws for these headers and state, or `'passed'`. */
function outcome(
  headers: Record<string, string | string[] | undefined>,
  auth?: VerifiedToken,
  challenge?: ChallengeOptions,
): unknown {
  try {
    checkRouteOrder({ headers }, auth, challenge, 'requireScopes', 'bearerAuth')
  } catch (error) {
    return error
  }
  return 'passed'
}

describe('checkRouteOrder', () => {
  it('throws a RouteOrderError naming the check and authentication when authentication never ran on a request with a bearer token', () => {
    const error = outcome({ authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' })
    expect(error).toBeInstanceOf(RouteOrderError)
    expect(error).toMatchObject({ check: 'requireScopes', authentication: 'bearerAuth' })
    expect(isRouteOrderError(error)).toBe(true)
  })

  it('counts every header keyward authenticates as credentials: either scheme in any case, malformed values, a DPoP proof alone', () => {
    for (const headers of [
      { authorization: 'bearer x' },
      { authorization: 'BEARER x' },
      { authorization: 'DPoP x' },
      { authorization: ' \tBearer x' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer a b' },
      { authorization: ['Basic x', 'Bearer y'] },
      { dpop: 'eyJ.e30.c2ln' },
    ]) {
      expect(isRouteOrderError(outcome(headers)), JSON.stringify(headers)).toBe(true)
    }
  })

  it('passes a request without keyward credentials, so the check answers 401 missing_token as before', () => {
    for (const headers of [
      {},
      { authorization: undefined },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearerx abc' },
      { authorization: '' },
      { cookie: 'access_token=eyJ.e30.c2ln' },
    ]) {
      expect(outcome(headers), JSON.stringify(headers)).toBe('passed')
    }
  })

  it('passes once authentication set a token', () => {
    expect(outcome({ authorization: 'Bearer x' }, AUTH)).toBe('passed')
  })

  it('passes when authentication ran and let the request through without a token (optional authentication)', () => {
    // A DPoP proof without a DPoP-bound token, or a scheme the verifier does not read: it ran,
    // found nothing, and the check's 401 is the right answer.
    expect(outcome({ dpop: 'proof' }, undefined, RAN_WITHOUT_TOKEN)).toBe('passed')
    expect(outcome({ authorization: 'DPoP x' }, undefined, RAN_WITHOUT_TOKEN)).toBe('passed')
  })

  it('never puts request data in its message', () => {
    const error = outcome({ authorization: 'Bearer secret-token-value' }) as Error
    expect(error.message).not.toContain('secret-token-value')
    expect(error.name).toBe('RouteOrderError')
  })
})

describe('isRouteOrderError', () => {
  it('recognises the error of another copy of keyward by its name, and nothing else', () => {
    const foreign = Object.assign(new Error('x'), { name: 'RouteOrderError' })
    expect(isRouteOrderError(foreign)).toBe(true)
    expect(isRouteOrderError(new TypeError('x'))).toBe(false)
    expect(isRouteOrderError({ name: 'RouteOrderError' })).toBe(false)
  })
})
