import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/resolve-options.js'

const VALID = {
  issuer: 'https://issuer.test/',
  audience: 'https://api.test',
  jwksUri: 'https://issuer.test/jwks',
}

describe('the hook options of createVerifier', () => {
  it.each([
    ['validate', { validate: true }],
    ['validate', { validate: 'org_id' }],
    ['hookTimeoutMs', { hookTimeoutMs: 0 }],
    ['hookTimeoutMs', { hookTimeoutMs: 1.5 }],
    ['hookTimeoutMs', { hookTimeoutMs: '1s' }],
    ['isRevoked', { isRevoked: new Set(['j-1']) }],
    ['revocationRetryAfterMs', { isRevoked: () => false, revocationRetryAfterMs: 0 }],
    ['revocationRetryAfterMs', { isRevoked: () => false, revocationRetryAfterMs: 2.5 }],
    ['revocationRetryAfterMs', { isRevoked: () => false, revocationRetryAfterMs: '5s' }],
    ['revocationRetryAfterMs', { revocationRetryAfterMs: 5000 }],
  ])('throws a TypeError naming %s for %j', (name, changes) => {
    expect(() => resolveOptions({ ...VALID, ...changes })).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringContaining(`"${name}"`) as unknown,
      }),
    )
  })

  it('names validate for a near miss', () => {
    expect(() => resolveOptions({ ...VALID, validator: () => true })).toThrow(/"validate"/)
  })

  it('says that validate applies to every issuer when given in an issuers entry', () => {
    expect(() => resolveOptions({ issuers: [{ ...VALID, validate: () => true }] })).toThrow(
      /"validate" applies to every issuer/,
    )
  })

  it('defaults hookTimeoutMs to 1000 and leaves validate unset', () => {
    const resolved = resolveOptions(VALID)
    expect([resolved.hookTimeoutMs, resolved.validate]).toEqual([1000, undefined])
  })

  it('defaults revocationRetryAfterMs to 5000 and leaves isRevoked unset', () => {
    const resolved = resolveOptions(VALID)
    expect([resolved.revocationRetryAfterMs, resolved.isRevoked]).toEqual([5000, undefined])
  })
})
