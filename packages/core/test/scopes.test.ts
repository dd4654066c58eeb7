import { describe, expect, it } from 'vitest'
import { checkScopeSet, expandScopes, normaliseScopes } from '../src/scopes.js'

/** The code a scope function throws, or `'none'`. */
function failure(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'none'
}

describe('normaliseScopes', () => {
  it('splits a space-delimited scope string and drops empty entries and duplicates', () => {
    expect(normaliseScopes({ scope: ' read  write read ' })).toEqual(['read', 'write'])
  })

  it('reads scp as a string or an array, and permissions as an array', () => {
    expect(normaliseScopes({ scp: 'a b' })).toEqual(['a', 'b'])
    expect(normaliseScopes({ scp: ['a', 'b'] })).toEqual(['a', 'b'])
    expect(normaliseScopes({ permissions: ['read:x', 'read:x'] })).toEqual(['read:x'])
  })

  it('merges scope, scp and permissions in that order without duplicates', () => {
    expect(normaliseScopes({ permissions: ['d', 'a'], scp: ['c', 'b'], scope: 'a b' })).toEqual([
      'a',
      'b',
      'c',
      'd',
    ])
  })

  it('returns no scopes without any scope claim', () => {
    expect(normaliseScopes({})).toEqual([])
  })

  it.each([
    ['scope as an array', { scope: ['a'] }],
    ['scope as a number', { scope: 1 }],
    ['scope as null', { scope: null }],
    ['scp as an object', { scp: { a: true } }],
    ['scp with a number', { scp: ['a', 2] }],
    ['permissions as a string', { permissions: 'a b' }],
    ['permissions with null', { permissions: [null] }],
  ])('rejects %s as invalid_claim', (_, claims) => {
    expect(failure(() => normaliseScopes(claims))).toBe('invalid_claim')
  })
})

describe('expandScopes', () => {
  it('returns the granted scopes without a hierarchy', () => {
    expect([...expandScopes(['a'], undefined)]).toEqual(['a'])
  })

  it('follows an object hierarchy transitively', () => {
    const hierarchy = { admin: ['files:write'], 'files:write': ['files:read'] }
    expect([...expandScopes(['admin'], hierarchy)].sort()).toEqual([
      'admin',
      'files:read',
      'files:write',
    ])
  })

  it('follows a function hierarchy transitively', () => {
    const hierarchy = (scope: string) =>
      scope.endsWith(':write')
        ? [scope.replace(':write', ':read')]
        : scope === 'admin'
          ? ['x:write']
          : []
    expect([...expandScopes(['admin'], hierarchy)].sort()).toEqual(['admin', 'x:read', 'x:write'])
  })

  it('terminates on a cycle', () => {
    const hierarchy = { a: ['b'], b: ['a', 'c'] }
    expect([...expandScopes(['a'], hierarchy)].sort()).toEqual(['a', 'b', 'c'])
  })

  it('ignores inherited members of an object hierarchy', () => {
    expect([...expandScopes(['constructor', 'toString'], {})].sort()).toEqual([
      'constructor',
      'toString',
    ])
  })
})

describe('checkScopeSet', () => {
  it('passes when every required scope is granted in all mode', () => {
    expect(
      failure(() => {
        checkScopeSet(new Set(['a', 'b']), ['a', 'b'], 'all')
      }),
    ).toBe('none')
  })

  it('fails with insufficient_scope naming every required scope when one is missing', () => {
    let scopes: unknown
    try {
      checkScopeSet(new Set(['a']), ['a', 'b'], 'all')
    } catch (error) {
      scopes = [(error as { code: string }).code, (error as { scopes: unknown }).scopes]
    }
    expect(scopes).toEqual(['insufficient_scope', ['a', 'b']])
  })

  it('passes with one of the required scopes in any mode, and fails with none', () => {
    expect(
      failure(() => {
        checkScopeSet(new Set(['b']), ['a', 'b'], 'any')
      }),
    ).toBe('none')
    expect(
      failure(() => {
        checkScopeSet(new Set(['c']), ['a', 'b'], 'any')
      }),
    ).toBe('insufficient_scope')
  })
})
