import { ERROR_DESCRIPTIONS, httpGet as get, type HttpReply } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import { fixture, type Fixture, type StartApp } from './fixture.js'

const SECRET = 'evil-corp-7f3a'

/** 401 `invalid_claim`: the fixed description, and nothing of the token's claims. */
function expectInvalidClaim(reply: HttpReply, configured: boolean, scope?: string): void {
  expectRejected(reply, { status: 401, error: 'invalid_token', scope, configured })
  expect(reply.headers['www-authenticate']).toContain(
    `error_description="${ERROR_DESCRIPTIONS.invalid_claim}"`,
  )
  expect(reply.headers['www-authenticate']).not.toContain(SECRET)
  expect(reply.body).not.toContain(SECRET)
}

/**
 * Claim rules on `/claim-equals` (`org_id` is `acme`), `/claim-includes` (`roles` include
 * `editor` and `reviewer`) and `/claim-check` (`contractClaimPredicate`): a token that fails
 * one is 401 `invalid_claim` with a fixed description; a rule that throws, hangs or answers a
 * non-boolean refuses too, never a 500 and never an accept.
 */
export function claimCases(f: () => Fixture, configured: boolean): void {
  it('passes claimEquals only for the exact value, and never echoes the claim', async () => {
    const { url, bearer } = f()
    expect((await get(url('/claim-equals'), bearer({ org_id: 'acme' }))).status).toBe(200)
    expectInvalidClaim(await get(url('/claim-equals'), bearer({ org_id: SECRET })), configured)
    expectInvalidClaim(await get(url('/claim-equals'), bearer({ org_id: ['acme'] })), configured)
    expectInvalidClaim(await get(url('/claim-equals'), bearer()), configured)
  })

  it('passes claimIncludes only when every value is there, in an array or a spaced string', async () => {
    const { url, bearer } = f()
    for (const roles of [['reviewer', 'editor', 'admin'], 'editor reviewer']) {
      expect((await get(url('/claim-includes'), bearer({ roles }))).status).toBe(200)
    }
    for (const roles of [['editor'], 'editor', [SECRET]]) {
      expectInvalidClaim(await get(url('/claim-includes'), bearer({ roles })), configured)
    }
  })

  it('passes claimCheck when the predicate answers true, at once or later', async () => {
    const { url, bearer } = f()
    for (const tier of ['gold', 'async-gold']) {
      const reply = await get(url('/claim-check'), bearer({ tier, sub: 'u-1' }))
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toMatchObject({ sub: 'u-1' })
    }
  })

  it.each(['silver', 'throw', 'reject', 'hang', 'odd'])(
    'refuses claimCheck with 401 invalid_claim when the predicate answers %s',
    async (tier) => {
      const { url, bearer } = f()
      const reply = await get(url('/claim-check'), bearer({ tier, secret: SECRET }))
      expectInvalidClaim(reply, configured)
    },
  )

  it('checks claims only after authentication: no token on a claim route is 401', async () => {
    const { url } = f()
    expectRejected(await get(url('/claim-equals')), { status: 401, error: null, configured })
  })
}

/** The verifier-level `validate` hook, through every route of the app. */
export function describeValidateHook(start: StartApp, routeScopesOn401 = false): void {
  describe('with a validate hook on the verifier', () => {
    const f = fixture((options) =>
      start({
        ...options,
        hookTimeoutMs: 50,
        validate: (token) => {
          const { org } = token.claims
          if (org === 'throw') throw new Error(`org ${SECRET}`)
          if (org === 'hang') return new Promise<boolean>(() => undefined)
          if (org === 'odd') return 1 as unknown as boolean
          return org === 'acme'
        },
      }),
    )

    it('accepts a token the hook answers true for', async () => {
      const { url, bearer } = f()
      expect((await get(url('/protected'), bearer({ org: 'acme' }))).status).toBe(200)
    })

    it.each(['other', 'throw', 'hang', 'odd'])(
      'refuses with 401 invalid_claim on every route when the hook answers %s',
      async (org) => {
        const { url, bearer } = f()
        for (const path of ['/protected', '/optional', '/write']) {
          const reply = await get(url(path), bearer({ org, scope: 'write:things' }))
          // Where authentication knows the route's scopes (Nest), its 401 names them.
          const scope = path === '/write' && routeScopesOn401 ? 'write:things' : undefined
          expectInvalidClaim(reply, false, scope)
        }
      },
    )
  })
}
