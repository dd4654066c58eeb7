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
})
