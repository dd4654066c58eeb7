import type { RequestListener } from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp as after } from '../after/express-jwt.js'
import {
  bodyOf,
  loadBefore,
  serve,
  startIssuer,
  testDenylist,
  type AuthSettings,
  type Denylist,
  type Issuer,
  type Running,
} from './support.js'

const { createApp: before } = await loadBefore<{
  createApp: (settings: AuthSettings, revoked: Denylist) => RequestListener
}>('express-jwt')

// The differences docs/migrating-from-express-jwt.md promises, shown on its two example apps.
describe('express-jwt + jwks-rsa → @keyward/express', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()

  beforeAll(async () => {
    issuer = await startIssuer()
    old = await serve(before(issuer.settings, denylist))
    keyward = await serve(after(issuer.settings, denylist))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('answers 200 with the same subject to a valid token in both apps', async () => {
    const token = issuer.token()
    for (const app of [old, keyward]) {
      const reply = await app.get('/api/me', token)
      expect(reply.status).toBe(200)
      expect(bodyOf(reply)).toEqual({ sub: 'user-1' })
    }
  })

  it('refuses an expired token with 401 in both; only keyward sends a WWW-Authenticate challenge', async () => {
    const token = issuer.expired()
    const was = await old.get('/api/me', token)
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toBeUndefined()
    expect(bodyOf(was)).toEqual({ code: 'invalid_token', message: 'jwt expired' })

    const now = await keyward.get('/api/me', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token expired"',
    )
    expect(bodyOf(now)).toEqual({
      error: 'invalid_token',
      error_description: 'access token expired',
    })
  })

  it('refuses a token for another audience with 401 in both; only express-jwt tells the client the expected audience', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.wrongAudience()
      const was = await old.get('/api/me', token)
      expect(was.status).toBe(401)
      expect(was.body).toContain(issuer.settings.audience)

      const now = await keyward.get('/api/me', token)
      expect(now.status).toBe(401)
      expect(now.body).not.toContain(issuer.settings.audience)
      expect(bodyOf(now)).toEqual({
        error: 'invalid_token',
        error_description: 'audience not accepted',
      })
      // The operator gets the comparison instead, once per issuer, in keyward's log line.
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]?.[0])).toContain(issuer.settings.audience)
      expect(String(warn.mock.calls[0]?.[0])).not.toContain(token)
    } finally {
      warn.mockRestore()
    }
  })

  it('answers a request without a token with 401 in both; keyward sends a bare Bearer challenge and an empty body', async () => {
    const was = await old.get('/api/me')
    expect(was.status).toBe(401)
    expect(bodyOf(was)).toMatchObject({ code: 'credentials_required' })

    const now = await keyward.get('/api/me')
    expect(now.status).toBe(401)
    // RFC 6750 §3.1: no error code when the request carried no credentials.
    expect(now.headers['www-authenticate']).toBe('Bearer')
    expect(bodyOf(now)).toEqual({})
  })

  it('treats another Authorization scheme as no token in both: 401, and a bare challenge from keyward', async () => {
    const headers = { authorization: 'Basic dXNlcjpwYXNz' }
    const was = await old.get('/api/me', undefined, headers)
    expect(was.status).toBe(401)
    expect(bodyOf(was)).toMatchObject({ code: 'credentials_required' })

    const now = await keyward.get('/api/me', undefined, headers)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe('Bearer')
  })

  it('answers a Bearer header with two values with 401 invalid_token before, and 400 invalid_request with keyward', async () => {
    const headers = { authorization: 'Bearer a b' }
    const was = await old.get('/api/me', undefined, headers)
    expect(was.status).toBe(401)
    expect(bodyOf(was)).toMatchObject({ code: 'invalid_token' })

    const now = await keyward.get('/api/me', undefined, headers)
    expect(now.status).toBe(400)
    expect(now.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/)
  })

  it('accepts a token for any audience when express-jwt is given none; keyward refuses to start without one', async () => {
    const { issuer: iss, jwksUri } = issuer.settings
    const lax = await serve(before({ issuer: iss, jwksUri } as AuthSettings, denylist))
    try {
      expect((await lax.get('/api/me', issuer.wrongAudience())).status).toBe(200)
    } finally {
      await lax.close()
    }
    expect(() => after({ issuer: iss, jwksUri } as AuthSettings, denylist)).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringContaining('"audience"'),
      }),
    )
  })

  it('reads the token from getToken when there is no Authorization header, in both', async () => {
    const headers = { 'x-access-token': issuer.token() }
    for (const app of [old, keyward]) {
      const reply = await app.get('/api/me', undefined, headers)
      expect(reply.status).toBe(200)
      expect(bodyOf(reply)).toEqual({ sub: 'user-1' })
    }
  })

  it('takes the header when both carry a token before; keyward refuses two different tokens with 400', async () => {
    const headers = { 'x-access-token': issuer.token({ sub: 'someone-else' }) }
    const was = await old.get('/api/me', issuer.token(), headers)
    expect(was.status).toBe(200)
    expect(bodyOf(was)).toEqual({ sub: 'user-1' })

    const now = await keyward.get('/api/me', issuer.token(), headers)
    expect(now.status).toBe(400)
    expect(now.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/)
  })

  it('refuses a revoked token with 401 in both: revoked_token before, token_revoked after', async () => {
    denylist.revoked.add('revoked-1')
    const token = issuer.token({ jti: 'revoked-1' })
    const was = await old.get('/api/me', token)
    expect(was.status).toBe(401)
    expect(bodyOf(was)).toMatchObject({ code: 'revoked_token' })

    const now = await keyward.get('/api/me', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token revoked"',
    )
  })

  it('answers while the denylist is unreachable with 500 before, and a retryable 503 revocation_unavailable after', async () => {
    denylist.down = true
    try {
      const token = issuer.token()
      // isRevoked's rejection is not an UnauthorizedError: Express's default handler answers it.
      expect((await old.get('/api/me', token)).status).toBe(500)

      const now = await keyward.get('/api/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
      expect(now.headers['www-authenticate']).toBeUndefined()
    } finally {
      denylist.down = false
    }
  })

  it('answers a missing role with the hand-written 403 before, and 401 invalid_claim with claimIncludes', async () => {
    const token = issuer.token({ roles: ['reader'] })
    expect((await old.get('/api/admin', token)).status).toBe(403)

    const now = await keyward.get('/api/admin', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="invalid claim"',
    )

    const admin = issuer.token({ roles: ['reader', 'admin'] })
    for (const app of [old, keyward]) expect((await app.get('/api/admin', admin)).status).toBe(200)
  })
})

describe('express-jwt + jwks-rsa → @keyward/express, JWKS down before the first fetch', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()

  beforeAll(async () => {
    issuer = await startIssuer({ jwksDown: true })
    old = await serve(before(issuer.settings, denylist))
    keyward = await serve(after(issuer.settings, denylist))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('is a 500 from Express before, and a retryable 503 with Retry-After from keyward', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.token()
      // jwks-rsa's JwksError is not an UnauthorizedError, so it reaches Express's default handler.
      expect((await old.get('/api/me', token)).status).toBe(500)

      const now = await keyward.get('/api/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
      expect(now.headers['www-authenticate']).toBeUndefined()
      expect(bodyOf(now)).toEqual({ error: 'temporarily_unavailable' })
    } finally {
      warn.mockRestore()
    }
  })
})
