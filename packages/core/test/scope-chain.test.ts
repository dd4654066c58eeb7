import { expectedChallenge } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { checkScopeChain, scopeCheckOf, scopeMiddleware } from '../src/scope-chain.js'
import { scopeCheck } from '../src/scope-requirements.js'
import { useFixture } from './helpers.js'

const fx = useFixture()

/** The `WWW-Authenticate` of what `run` throws, or `'passed'`. */
function challengeOf(run: () => void): unknown {
  try {
    run()
  } catch (error) {
    return (error as { headers: Record<string, string> }).headers['WWW-Authenticate']
  }
  return 'passed'
}

describe('checkScopeChain', () => {
  const read = scopeCheck('notes:read')
  const write = scopeCheck('notes:write')
  const chain = [
    () => 'auth',
    scopeMiddleware(() => 'read', read),
    scopeMiddleware(() => 'write', write),
  ]

  it('checks every scope middleware of the chain at the first, naming all their scopes', async () => {
    const auth = await fx.verifier().verify(fx.issuer.mint({ scope: 'other' }))
    expect(
      challengeOf(() => {
        checkScopeChain({}, read, chain, auth, undefined)
      }),
    ).toBe(expectedChallenge('insufficient_scope', { scope: 'notes:read notes:write' }))
  })

  it('lets a later check of the chain pass at once once the first checked it, for the same token', async () => {
    const verifier = fx.verifier()
    const auth = await verifier.verify(fx.issuer.mint({ scope: 'notes:read notes:write' }))
    const other = await verifier.verify(fx.issuer.mint({ scope: 'notes:read' }))
    const request = {}
    checkScopeChain(request, read, chain, auth, undefined)
    expect(
      challengeOf(() => {
        checkScopeChain(request, write, chain, auth, undefined)
      }),
    ).toBe('passed')
    // Another token on the same request object is checked afresh.
    expect(
      challengeOf(() => {
        checkScopeChain(request, write, undefined, other, undefined)
      }),
    ).toBe(expectedChallenge('insufficient_scope', { scope: 'notes:write' }))
  })

  it('checks alone without a chain, and names its scopes on a 401 without a token', () => {
    expect(
      challengeOf(() => {
        checkScopeChain({}, write, undefined, undefined, { realm: 'r' })
      }),
    ).toBe(expectedChallenge('missing_token', { realm: 'r', scope: 'notes:write' }))
  })

  it('finds the check of a marked middleware only', () => {
    expect([scopeCheckOf(chain[1]), scopeCheckOf(chain[0]), scopeCheckOf('x')]).toEqual([
      read,
      undefined,
      undefined,
    ])
  })
})
