// Verifier rules: __proto__ and constructor members stay inert data; results are frozen.
import { describe, expect, it } from 'vitest'
import { useFixture } from '../helpers.js'

const fx = useFixture()

describe('claims hygiene', () => {
  it('keeps __proto__ and constructor claims as inert own data properties', async () => {
    const claims = JSON.stringify(fx.issuer.claims()).slice(0, -1)
    const rawPayload = `${claims},"__proto__":{"polluted":true,"scope":"admin"},"constructor":{"prototype":{"polluted":true}}}`
    const auth = await fx.verifier().verify(fx.issuer.mint({}, { rawPayload }))
    expect(Object.getPrototypeOf(auth.claims)).toBeNull()
    expect(Object.getOwnPropertyDescriptor(auth.claims, '__proto__')).toMatchObject({
      value: { polluted: true, scope: 'admin' },
      writable: false,
    })
    expect(Object.hasOwn(auth.claims, 'constructor')).toBe(true)
    expect(auth.scopes).toEqual(['read:things'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('keeps a __proto__ header member inert', async () => {
    const kid = fx.issuer.signingKey.kid
    const rawHeader = `{"alg":"RS256","typ":"at+jwt","kid":"${kid}","__proto__":{"alg":"none"}}`
    const auth = await fx.verifier().verify(fx.issuer.mint({}, { rawHeader }))
    expect(auth.header.alg).toBe('RS256')
    expect(Object.hasOwn(auth.header, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(auth.header)).toBeNull()
  })

  it('returns a frozen result', async () => {
    const auth = await fx.verifier().verify(fx.issuer.mint())
    expect(
      [auth, auth.claims, auth.header, auth.scopes, auth.audience].map(Object.isFrozen),
    ).toEqual([true, true, true, true, true])
  })
})
