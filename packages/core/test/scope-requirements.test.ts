import { expectedChallenge } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import {
  combineScopeChecks,
  requireAnyScope,
  requireScopes,
  scopeCheck,
} from '../src/scope-requirements.js'
import type { VerifiedToken } from '../src/verified-token.js'
import { type FixtureVerifierOptions, useFixture } from './helpers.js'

const fx = useFixture()

function verified(scope: string, options: FixtureVerifierOptions = {}): Promise<VerifiedToken> {
  return fx.verifier(options).verify(fx.issuer.mint({ scope }))
}

/** `[code, status, WWW-Authenticate]` of what `check` throws, or `'passed'`. */
function outcome(check: () => void): unknown {
  try {
    check()
  } catch (error) {
    const { code, status, headers } = error as {
      code: string
      status: number
      headers: Record<string, string>
    }
    return [code, status, headers['WWW-Authenticate']]
  }
  return 'passed'
}

function insufficient(scope: string): unknown {
  return ['insufficient_scope', 403, expectedChallenge('insufficient_scope', { scope })]
}

describe('requireScopes', () => {
  it('passes when every scope is granted', async () => {
    const auth = await verified('read write')
    expect(
      outcome(() => {
        requireScopes(auth, ['read', 'write'])
      }),
    ).toBe('passed')
  })

  it('fails with 403 naming all required scopes when one is missing', async () => {
    const auth = await verified('read')
    expect(
      outcome(() => {
        requireScopes(auth, 'read write')
      }),
    ).toEqual(insufficient('read write'))
  })

  it('fails with missing_token naming the required scopes without a verified token', () => {
    expect(
      outcome(() => {
        requireScopes(undefined, 'read')
      }),
    ).toEqual(['missing_token', 401, 'Bearer scope="read"'])
  })
})

describe('scopeCheck without a verified token', () => {
  it("answers missing_token with the challenge passed to the check, e.g. the verifier's", () => {
    const { challenge } = fx.verifier({
      realm: 'api',
      resourceMetadataUrl: 'https://api.test/.well-known/oauth-protected-resource',
    })
    expect(
      outcome(() => {
        scopeCheck('read')(undefined, challenge)
      }),
    ).toEqual([
      'missing_token',
      401,
      'Bearer realm="api", scope="read", resource_metadata="https://api.test/.well-known/oauth-protected-resource"',
    ])
  })

  it("prefers the token's own verifier challenge over the one passed in", async () => {
    const auth = await verified('read', { realm: 'own' })
    expect(
      outcome(() => {
        scopeCheck('write')(auth, { realm: 'other' })
      }),
    ).toEqual([
      'insufficient_scope',
      403,
      expectedChallenge('insufficient_scope', { realm: 'own', scope: 'write' }),
    ])
  })
})

describe('requireAnyScope', () => {
  it('passes when one scope is granted', async () => {
    const auth = await verified('write')
    expect(
      outcome(() => {
        requireAnyScope(auth, ['read', 'write'])
      }),
    ).toBe('passed')
  })

  it('fails with 403 naming every acceptable scope when none is granted', async () => {
    const auth = await verified('other')
    expect(
      outcome(() => {
        requireAnyScope(auth, ['read', 'write'])
      }),
    ).toEqual(insufficient('read write'))
  })
})

describe('scopeCheck', () => {
  it('builds a reusable all-mode check by default', async () => {
    const check = scopeCheck(['read', 'write'])
    const [both, one] = await Promise.all([verified('read write'), verified('read')])
    expect([
      outcome(() => {
        check(both)
      }),
      outcome(() => {
        check(one)
      }),
    ]).toEqual(['passed', insufficient('read write')])
  })

  it('honours the mode argument', async () => {
    const auth = await verified('write')
    expect(
      outcome(() => {
        scopeCheck('read write', 'any')(auth)
      }),
    ).toBe('passed')
  })

  it.each([
    ['an empty string', ''],
    ['an empty array', []],
    ['a name with a quote', ['a"b']],
    ['a name with a backslash', ['a\\b']],
    ['a name with a space inside an array entry', ['a b']],
    ['an empty array entry', ['']],
    ['a non-ASCII name', ['lire:é']],
    ['a non-string entry', [1]],
  ])('throws a TypeError at construction for %s', (_, scopes) => {
    expect(() => scopeCheck(scopes as never)).toThrow(TypeError)
  })

  it('throws a TypeError for an unknown mode', () => {
    expect(() => scopeCheck('read', 'some' as never)).toThrow(TypeError)
  })

  it('challenges a missing token with the realm and resource metadata it is given, naming its own scopes', () => {
    const challenge = {
      realm: 'api',
      resourceMetadataUrl: 'https://api.test/.well-known/x',
      scopes: ['default:scope'],
    }
    expect(
      outcome(() => {
        scopeCheck('read')(undefined, challenge)
      }),
    ).toEqual([
      'missing_token',
      401,
      'Bearer realm="api", scope="read", resource_metadata="https://api.test/.well-known/x"',
    ])
  })

  it("keeps a verified token's own challenge over the one it is given", async () => {
    const auth = await verified('read', { realm: 'own' })
    expect(
      outcome(() => {
        scopeCheck('write')(auth, { realm: 'given' })
      }),
    ).toEqual([
      'insufficient_scope',
      403,
      expectedChallenge('insufficient_scope', { realm: 'own', scope: 'write' }),
    ])
  })
})

describe('scopeHierarchy', () => {
  it('lets a broader scope satisfy a narrower one, transitively, with an object', async () => {
    const scopeHierarchy = { admin: ['files:write'], 'files:write': ['files:read'] }
    const auth = await verified('admin', { scopeHierarchy })
    expect(
      outcome(() => {
        requireScopes(auth, ['files:read', 'files:write'])
      }),
    ).toBe('passed')
    expect(auth.scopes).toEqual(['admin'])
  })

  it('lets a broader scope satisfy a narrower one, transitively, with a function', async () => {
    const scopeHierarchy = (scope: string) =>
      scope === 'admin' ? ['files:write'] : scope === 'files:write' ? ['files:read'] : []
    const auth = await verified('admin', { scopeHierarchy })
    expect(
      outcome(() => {
        requireScopes(auth, 'files:read')
      }),
    ).toBe('passed')
  })

  it('never lets a narrower scope satisfy a broader one', async () => {
    const scopeHierarchy = { 'files:write': ['files:read'] }
    const auth = await verified('files:read', { scopeHierarchy })
    expect(
      outcome(() => {
        requireScopes(auth, 'files:write')
      }),
    ).toEqual(insufficient('files:write'))
  })

  it('applies only to tokens of the verifier configured with it', async () => {
    const auth = await verified('admin')
    expect(
      outcome(() => {
        requireScopes(auth, 'files:read')
      }),
    ).toEqual(insufficient('files:read'))
  })
})

describe('combineScopeChecks', () => {
  const readAndAdmin = combineScopeChecks([
    scopeCheck('notes:read'),
    scopeCheck(['admin', 'owner'], 'any'),
  ])

  it('names every rule in one 403 when the token meets none of them', async () => {
    const auth = await verified('other')
    expect(
      outcome(() => {
        readAndAdmin(auth)
      }),
    ).toEqual(insufficient('notes:read admin owner'))
  })

  it('names a met rule too, an any-of rule by the alternative granted, when another fails', async () => {
    const auth = await verified('owner')
    expect(
      outcome(() => {
        readAndAdmin(auth)
      }),
    ).toEqual(insufficient('notes:read owner'))
  })

  it('passes when every rule is met', async () => {
    const auth = await verified('notes:read admin')
    expect(
      outcome(() => {
        readAndAdmin(auth)
      }),
    ).toBe('passed')
  })

  it('challenges a missing token with every scope of every rule, once each', () => {
    const check = combineScopeChecks([scopeCheck('a b'), scopeCheck('b c', 'any')])
    expect(check.scopes).toEqual(['a', 'b', 'c'])
    expect(
      outcome(() => {
        check(undefined)
      }),
    ).toEqual(['missing_token', 401, 'Bearer scope="a b c"'])
  })

  it('returns a single check as it is', () => {
    const check = scopeCheck('a')
    expect(combineScopeChecks([check])).toBe(check)
  })
})
