import { httpGet as get } from '@keyward/test-utils'
import { expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import type { Fixture } from './fixture.js'

/**
 * Scope checks on `/write` (all of) and `/any` (any of): 403 `insufficient_scope` naming the
 * scopes, only after authentication, and only from the verified claims.
 */
export function scopeCases(f: () => Fixture, configured: boolean, routeScopesOn401 = false): void {
  it('answers a missing required scope with 403 insufficient_scope naming it', async () => {
    const { url, bearer } = f()
    const reply = await get(url('/write'), bearer({ scope: 'read:things' }))
    expectRejected(reply, {
      status: 403,
      error: 'insufficient_scope',
      scope: 'write:things',
      configured,
    })
    expect((await get(url('/write'), bearer({ scope: 'write:things' }))).status).toBe(200)
  })

  it('requires one of the any-of scopes and names all of them when none is granted', async () => {
    const { url, bearer } = f()
    const reply = await get(url('/any'), bearer({ scope: 'read:things' }))
    expectRejected(reply, {
      status: 403,
      error: 'insufficient_scope',
      scope: 'admin write:things',
      configured,
    })
    expect((await get(url('/any'), bearer({ scope: 'admin' }))).status).toBe(200)
    expect((await get(url('/any'), bearer({ scope: 'write:things' }))).status).toBe(200)
  })

  it('checks scopes only after authentication: no token on a scoped route is 401', async () => {
    const reply = await get(f().url('/write'))
    // Where the authentication step knows the route's scopes (Nest: @Scopes), its 401 names them.
    const scope = routeScopesOn401 ? 'write:things' : undefined
    expectRejected(reply, { status: 401, error: null, scope, configured })
  })

  it('ignores scopes smuggled in a __proto__ member of the payload', async () => {
    const { url, issuer } = f()
    const claims = issuer.claims({ scope: 'read:things' })
    const rawPayload = JSON.stringify(claims).replace(
      /}$/,
      ',"__proto__":{"scope":"write:things","scopes":["write:things"]}}',
    )
    const token = issuer.mint({}, { rawPayload })
    const reply = await get(url('/write'), { authorization: `Bearer ${token}` })
    expectRejected(reply, {
      status: 403,
      error: 'insufficient_scope',
      scope: 'write:things',
      configured,
    })
  })
}
