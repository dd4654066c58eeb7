import { httpGet as get } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import { fixture, type Fixture, type StartApp } from './fixture.js'

/**
 * `scope` on challenges (RFC 6750 §3; MCP authorization, "Scope Selection Strategy" and "Scope
 * Challenge Handling"): a route's own 401 scopes on `/scoped-401`, chained scope checks on
 * `/two-scopes` answered with one challenge naming every scope.
 */
export function challengeScopeCases(f: () => Fixture, configured: boolean): void {
  it("names the route's own scopes on a 401 without a token and for a rejected token", async () => {
    const { url, issuer } = f()
    expectRejected(await get(url('/scoped-401')), {
      status: 401,
      error: null,
      scope: 'read:things',
      configured,
    })
    const expired = issuer.mint({ exp: Math.floor(Date.now() / 1000) - 3600 })
    expectRejected(await get(url('/scoped-401'), { authorization: `Bearer ${expired}` }), {
      status: 401,
      error: 'invalid_token',
      scope: 'read:things',
      configured,
    })
  })

  it('checks chained scope checks together: one 403 names every scope the route needs', async () => {
    const { url, bearer } = f()
    expectRejected(await get(url('/two-scopes'), bearer({ scope: 'read:things' })), {
      status: 403,
      error: 'insufficient_scope',
      scope: 'write:things admin',
      configured,
    })
    // A token meeting one rule is still told both: the set that satisfies the route.
    expectRejected(await get(url('/two-scopes'), bearer({ scope: 'admin' })), {
      status: 403,
      error: 'insufficient_scope',
      scope: 'write:things admin',
      configured,
    })
    expect((await get(url('/two-scopes'), bearer({ scope: 'write:things admin' }))).status).toBe(
      200,
    )
  })
}

/** A verifier-wide `challengeScopes`: every 401 names them unless the route says otherwise. */
export function describeDefaultChallengeScopes(start: StartApp): void {
  describe('with verifier-wide challengeScopes', () => {
    const f = fixture(start, { challengeScopes: ['read:things'] })

    it('names them on a 401 of a route without scopes of its own', async () => {
      expectRejected(await get(f().url('/protected')), {
        status: 401,
        error: null,
        scope: 'read:things',
      })
      expectRejected(await get(f().url('/protected'), { authorization: 'Bearer a.b.c' }), {
        status: 401,
        error: 'invalid_token',
        scope: 'read:things',
      })
    })

    it("lets a scope check's own 401 and 403 name its scopes instead", async () => {
      const { url, bearer } = f()
      expectRejected(await get(url('/optional-write')), {
        status: 401,
        error: null,
        scope: 'write:things',
      })
      expectRejected(await get(url('/write'), bearer({ scope: 'read:things' })), {
        status: 403,
        error: 'insufficient_scope',
        scope: 'write:things',
      })
    })
  })
}
