import { httpGet as get, rawHttpGet as getRaw, type TestIssuer } from '@keyward/test-utils'
import { expect, it } from 'vitest'
import { expectRejected, line, nowSeconds } from './expectations.js'
import type { Fixture } from './fixture.js'

/**
 * Authentication on `/protected`: no credentials → 401 bare challenge, a malformed
 * `Authorization` → 400 `invalid_request`, a rejected token → 401 `invalid_token`, a valid one
 * reaches the handler with the token attached.
 */
export function authenticationCases(f: () => Fixture, configured: boolean): void {
  it('answers a request without credentials with 401 and a challenge without error', async () => {
    const { url } = f()
    expectRejected(await get(url('/protected')), { status: 401, error: null, configured })
    // Another scheme is no bearer credential either (RFC 6750 §3.1).
    const basic = await get(url('/protected'), { authorization: 'Basic dXNlcjpwYXNz' })
    expectRejected(basic, { status: 401, error: null, configured })
  })

  it.each([
    ['a Bearer scheme without a token', 'Bearer'],
    ['two credentials in one header', 'Bearer abc def'],
    ['two comma-separated credentials', 'Bearer abc, Bearer def'],
    ['a value that is not token68', 'Bearer a=b.c'],
  ])('answers %s with 400 invalid_request', async (_name, authorization) => {
    const reply = await get(f().url('/protected'), { authorization })
    expectRejected(reply, { status: 400, error: 'invalid_request', configured })
  })

  it('answers two Authorization lines with 400 invalid_request', async () => {
    const { url, issuer } = f()
    const token = issuer.mint()
    const reply = await getRaw(url('/protected'), [
      line(`Authorization: Bearer ${token}`),
      line(`Authorization: Bearer ${token}`),
    ])
    expectRejected(reply, { status: 400, error: 'invalid_request', configured })
  })

  it('answers a token in both the header and the query with 400 invalid_request', async () => {
    const { url, issuer, bearer } = f()
    const reply = await get(url(`/protected?access_token=${issuer.mint()}`), bearer())
    expectRejected(reply, { status: 400, error: 'invalid_request', configured })
  })

  it.each<[string, (issuer: TestIssuer) => string]>([
    [
      'an expired token',
      (issuer) => issuer.mint({ iat: nowSeconds() - 3600, exp: nowSeconds() - 600 }),
    ],
    ['a bad signature', (issuer) => issuer.mint({}, { signature: 'zeros' })],
    ['a wrong issuer', (issuer) => issuer.mint({ iss: 'https://evil.test/' })],
    ['a wrong audience', (issuer) => issuer.mint({ aud: 'https://other.test' })],
    ['a malformed token', () => 'abc.def.ghi'],
    ['alg none', (issuer) => issuer.mint({}, { alg: 'none', kid: null, signature: 'none-empty' })],
  ])('answers %s with 401 invalid_token', async (_name, mint) => {
    const { url, issuer } = f()
    const reply = await get(url('/protected'), { authorization: `Bearer ${mint(issuer)}` })
    expectRejected(reply, { status: 401, error: 'invalid_token', configured })
  })

  it('attaches the verified token and runs the handler', async () => {
    const { url, bearer } = f()
    const headers = bearer({
      sub: 'user-42',
      client_id: 'client-7',
      scope: 'read:things write:things',
    })
    const reply = await get(url('/protected'), headers)
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({
      sub: 'user-42',
      clientId: 'client-7',
      scopes: ['read:things', 'write:things'],
    })
  })

  it('accepts the Bearer scheme in any case (RFC 9110 §11.1)', async () => {
    const { url, issuer } = f()
    const reply = await get(url('/protected'), { authorization: `bEaReR ${issuer.mint()}` })
    expect(reply.status).toBe(200)
  })
}
