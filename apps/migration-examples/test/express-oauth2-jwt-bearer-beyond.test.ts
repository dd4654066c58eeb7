import type { RequestListener } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp as beyond } from '../after/express-oauth2-jwt-bearer-beyond.js'
import {
  bodyOf,
  loadBefore,
  serve,
  startIssuer,
  testDenylist,
  type Issuer,
  type Running,
} from './support.js'

const { createApp: before } = await loadBefore<{
  createApp: (settings: { issuer: string; audience: string }) => RequestListener
}>('express-oauth2-jwt-bearer')

// "Beyond the peer" in docs/migrating-from-express-oauth2-jwt-bearer.md: express-oauth2-jwt-bearer
// has no revocation hook and reads no cookie or header of your own; keyward's isRevoked, cookie
// and getToken, on the guide's third app.
describe('express-oauth2-jwt-bearer → @keyward/express, beyond the peer', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()
  const cookie = (token: string) => ({ cookie: `theme=dark; __Host-access_token=${token}` })

  beforeAll(async () => {
    issuer = await startIssuer()
    const settings = { issuer: issuer.settings.issuer, audience: issuer.settings.audience }
    old = await serve(before(settings))
    keyward = await serve(beyond(settings, denylist))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('reads the token from the cookie; the peer ignores cookies (401)', async () => {
    const headers = cookie(issuer.token())
    expect((await old.get('/api/me', undefined, headers)).status).toBe(401)

    const now = await keyward.get('/api/me', undefined, headers)
    expect(now.status).toBe(200)
    expect(bodyOf(now)).toEqual({ sub: 'user-1' })
  })

  it("reads the token from getToken's header", async () => {
    const now = await keyward.get('/api/me', undefined, {
      'x-forwarded-access-token': issuer.token(),
    })
    expect(now.status).toBe(200)
    expect(bodyOf(now)).toEqual({ sub: 'user-1' })
  })

  it('accepts the same token in the header and the cookie, and refuses two different ones with 400', async () => {
    const token = issuer.token()
    expect((await keyward.get('/api/me', token, cookie(token))).status).toBe(200)

    const now = await keyward.get('/api/me', token, cookie(issuer.token({ sub: 'someone-else' })))
    expect(now.status).toBe(400)
    expect(now.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/)
    expect(bodyOf(now)).toMatchObject({ error: 'invalid_request' })
  })

  it('refuses a revoked token with 401 token_revoked; the peer has no hook to refuse it', async () => {
    denylist.revoked.add('revoked-1')
    const token = issuer.token({ jti: 'revoked-1' })
    expect((await old.get('/api/me', token)).status).toBe(200)

    const now = await keyward.get('/api/me', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token revoked"',
    )
    expect(bodyOf(now)).toEqual({
      error: 'invalid_token',
      error_description: 'access token revoked',
    })
  })

  it('answers 503 with Retry-After while the denylist is unreachable, never an accept', async () => {
    denylist.down = true
    try {
      const now = await keyward.get('/api/me', issuer.token())
      expect(now.status).toBe(503)
      expect(now.headers['retry-after']).toBe('5')
      expect(now.headers['www-authenticate']).toBeUndefined()
      expect(bodyOf(now)).toMatchObject({ error: 'temporarily_unavailable' })
    } finally {
      denylist.down = false
    }
  })
})
