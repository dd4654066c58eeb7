import { describe, expect, it } from 'vitest'
import { isKeywardError } from '../src/errors.js'
import type { VerifiedToken } from '../src/verified-token.js'
import { serviceAccountCheck, spiffeIdCheck, type WorkloadCheck } from '../src/workload-checks.js'

function svid(id: string): VerifiedToken {
  const [, trustDomain = '', path = ''] = /^spiffe:\/\/([^/]+)(.*)$/.exec(id) ?? []
  return { spiffe: { id, trustDomain, path } } as unknown as VerifiedToken
}

function serviceAccount(namespace: string, name: string): VerifiedToken {
  return { kubernetes: { namespace, serviceAccount: name } } as unknown as VerifiedToken
}

function outcome(check: WorkloadCheck, auth: VerifiedToken | undefined): string {
  try {
    check(auth)
    return 'allowed'
  } catch (error) {
    if (!isKeywardError(error)) throw error
    return `${error.code} ${error.status} ${error.headers['WWW-Authenticate'] ?? ''}`
  }
}

const REFUSED =
  'workload_not_allowed 403 Bearer error="insufficient_scope", error_description="workload not allowed"'

describe('spiffeIdCheck', () => {
  const check = spiffeIdCheck([
    'spiffe://example.org/ns/payments/sa/checkout',
    'spiffe://example.org/ns/ops/*',
  ])

  it.each([
    ['the exact ID', 'spiffe://example.org/ns/payments/sa/checkout', 'allowed'],
    ['an ID below a prefix', 'spiffe://example.org/ns/ops/sa/deployer', 'allowed'],
    ['an ID deeper below a prefix', 'spiffe://example.org/ns/ops/sa/a/b', 'allowed'],
    ['the prefix ID itself', 'spiffe://example.org/ns/ops', REFUSED],
    ['a sibling sharing the prefix text', 'spiffe://example.org/ns/opsx/sa/a', REFUSED],
    ['a child of the exact ID', 'spiffe://example.org/ns/payments/sa/checkout/x', REFUSED],
    ['the same path in another trust domain', 'spiffe://evil.org/ns/ops/sa/deployer', REFUSED],
  ])('answers %s: %s', (_, id, expected) => {
    expect(outcome(check, svid(id))).toBe(expected)
  })

  it('allows every workload of a trust domain with spiffe://<td>/*', () => {
    expect(outcome(spiffeIdCheck('spiffe://example.org/*'), svid('spiffe://example.org/a'))).toBe(
      'allowed',
    )
  })

  it('refuses a token that is not a JWT-SVID, and answers a missing token with 401', () => {
    expect(outcome(check, serviceAccount('ops', 'deployer'))).toBe(REFUSED)
    expect(outcome(check, undefined)).toBe('missing_token 401 Bearer')
  })

  it.each([
    'spiffe://example.org',
    'spiffe://Example.org/web',
    'spiffe://example.org/web/',
    'spiffe://example.org/*/web',
    'https://example.org/web',
    '',
  ])('refuses the pattern %j at construction', (pattern) => {
    expect(() => spiffeIdCheck(pattern)).toThrow(TypeError)
  })

  it('refuses an empty list at construction', () => {
    expect(() => spiffeIdCheck([])).toThrow(TypeError)
  })
})

describe('serviceAccountCheck', () => {
  const check = serviceAccountCheck(['billing/invoicer', 'ops/*'])

  it.each([
    ['billing', 'invoicer', 'allowed'],
    ['ops', 'anything', 'allowed'],
    ['billing', 'other', REFUSED],
    ['billing-eu', 'invoicer', REFUSED],
  ])('answers %s/%s: %s', (namespace, name, expected) => {
    expect(outcome(check, serviceAccount(namespace, name))).toBe(expected)
  })

  it('refuses a JWT-SVID', () => {
    expect(outcome(check, svid('spiffe://example.org/ns/ops/sa/x'))).toBe(REFUSED)
  })

  it.each(['billing', 'billing/', 'Billing/x', 'a/b/c', '*/x'])(
    'refuses the pattern %j at construction',
    (pattern) => {
      expect(() => serviceAccountCheck(pattern)).toThrow(TypeError)
    },
  )
})
