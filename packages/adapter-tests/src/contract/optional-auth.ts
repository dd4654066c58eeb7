import { httpGet as get } from '@keyward/test-utils'
import { expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import type { Fixture } from './fixture.js'

/**
 * Optional authentication on `/optional` (and `/optional-write`, which adds a scope) and the
 * public route `/public`: no token passes unauthenticated, a bad one is still rejected.
 */
export function optionalAuthCases(f: () => Fixture, configured: boolean): void {
  it('treats a required scope after optional auth as requiring a token: none is 401 naming the scope', async () => {
    const { url, bearer } = f()
    expectRejected(await get(url('/optional-write')), {
      status: 401,
      error: null,
      scope: 'write:things',
      configured,
    })
    const reply = await get(url('/optional-write'), bearer({ scope: 'write:things' }))
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({ ok: true })
  })

  it('lets optional routes through without a token, unauthenticated', async () => {
    const reply = await get(f().url('/optional'))
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({ authenticated: false })
  })

  it('authenticates optional routes when a valid token is sent', async () => {
    const { url, bearer } = f()
    const reply = await get(url('/optional'), bearer({ sub: 'user-9' }))
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({ authenticated: true, sub: 'user-9' })
  })

  it('still rejects a bad token or a malformed header on optional routes', async () => {
    const { url, issuer } = f()
    const bad = await get(url('/optional'), {
      authorization: `Bearer ${issuer.mint({}, { signature: 'zeros' })}`,
    })
    expectRejected(bad, { status: 401, error: 'invalid_token', configured })
    const malformed = await get(url('/optional'), { authorization: 'Bearer a b' })
    expectRejected(malformed, { status: 400, error: 'invalid_request', configured })
  })

  it('never authenticates public routes, even with a garbage header', async () => {
    const { url } = f()
    for (const authorization of [undefined, 'Bearer', 'Bearer a b', 'Bearer x.y.z']) {
      const reply = await get(url('/public'), authorization === undefined ? {} : { authorization })
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toEqual({ ok: true })
    }
  })
}
