// Verifier rules: scope, scp and permissions normalised into one list, or rejected when mistyped.
import { describe, expect, it } from 'vitest'
import { expectInvalidToken, useFixture } from '../helpers.js'

const fx = useFixture()

describe('scopes', () => {
  it.each([
    ['a scope string, deduplicated', { scope: 'a b  a' }, ['a', 'b']],
    ['an scp string', { scope: undefined, scp: 'a b' }, ['a', 'b']],
    ['an scp array', { scope: undefined, scp: ['a', 'b', 'a'] }, ['a', 'b']],
    [
      'a permissions array',
      { scope: undefined, permissions: ['read:x', 'write:x'] },
      ['read:x', 'write:x'],
    ],
    [
      'all three, merged in order without duplicates',
      { scope: 'a b', scp: ['b', 'c'], permissions: ['c', 'd'] },
      ['a', 'b', 'c', 'd'],
    ],
    ['no scope claim at all', { scope: undefined }, []],
  ])('normalises %s', async (_, claims, scopes) => {
    const auth = await fx.verifier().verify(fx.issuer.mint(claims))
    expect(auth.scopes).toEqual(scopes)
  })

  it.each([
    ['scope as an array', { scope: ['a'] }],
    ['scope as a number', { scope: 1 }],
    ['scp as a number', { scp: 1 }],
    ['scp with a non-string entry', { scp: ['a', 1] }],
    ['permissions as a string', { permissions: 'a' }],
    ['permissions with a non-string entry', { permissions: [null] }],
  ])('rejects %s', async (_, claims) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint(claims)), 'invalid_claim')
  })
})
