import type { RequestListener } from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp as after } from '../after/express-oauth2-jwt-bearer.js'
import { bodyOf, loadBefore, serve, startIssuer, type Issuer, type Running } from './support.js'

const { createApp: before } = await loadBefore<{
  createApp: (settings: { issuer: string; audience: string }) => RequestListener
}>('express-oauth2-jwt-bearer')

// The differences docs/migrating-from-express-oauth2-jwt-bearer.md promises, shown on its two
// example apps. Both discover the JWKS from the issuer's OIDC metadata.
describe('express-oauth2-jwt-bearer → @keyward/express', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running

  beforeAll(async () => {
    issuer = await startIssuer()
    const settings = { issuer: issuer.settings.issuer, audience: issuer.settings.audience }
    old = await serve(before(settings))
    keyward = await serve(after(settings))
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

  it('refuses an expired token with 401 invalid_token in both; keyward has no default realm and no DPoP challenge', async () => {
    const token = issuer.expired()
    const was = await old.get('/api/me', token)
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description="[^"]*", DPoP algs="/,
    )

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

  it('refuses a token for another audience with 401 invalid_token in both', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.wrongAudience()
      const was = await old.get('/api/me', token)
      expect(was.status).toBe(401)
      expect(was.headers['www-authenticate']).toContain('error="invalid_token"')

      const now = await keyward.get('/api/me', token)
      expect(now.status).toBe(401)
      expect(now.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="audience not accepted"',
      )
    } finally {
      warn.mockRestore()
    }
  })

  it('answers a request without a token with 401 and an error-free challenge in both', async () => {
    const was = await old.get('/api/me')
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).not.toContain('error=')

    const now = await keyward.get('/api/me')
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe('Bearer')
    expect(bodyOf(now)).toEqual({})
  })

  it('answers another Authorization scheme with 400 before, and as a missing token (401) with keyward', async () => {
    const headers = { authorization: 'Basic dXNlcjpwYXNz' }
    expect((await old.get('/api/me', undefined, headers)).status).toBe(400)

    const now = await keyward.get('/api/me', undefined, headers)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe('Bearer')
  })

  it('reads a token in the query string only before: keyward needs allowQueryToken', async () => {
    const path = `/api/me?access_token=${issuer.token()}`
    expect((await old.get(path)).status).toBe(200)

    const now = await keyward.get(path)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe('Bearer')
  })

  it('answers a missing scope with 403 insufficient_scope naming it in both (requiredScopes → requireScopes)', async () => {
    const token = issuer.token({ scope: 'write:things' })
    const was = await old.get('/api/things', token)
    expect(was.status).toBe(403)
    expect(was.headers['www-authenticate']).toContain(
      'error="insufficient_scope", error_description="Insufficient Scope", scope="read:things"',
    )

    const now = await keyward.get('/api/things', token)
    expect(now.status).toBe(403)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="insufficient scope", scope="read:things"',
    )
    const allowed = issuer.token({ scope: 'read:things' })
    for (const app of [old, keyward])
      expect((await app.get('/api/things', allowed)).status).toBe(200)
  })

  it('answers a failed claimIncludes with 401 in both; only the old library names the claim to the client', async () => {
    const token = issuer.token({ roles: ['reader'] })
    const was = await old.get('/api/admin', token)
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toContain('roles')

    const now = await keyward.get('/api/admin', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="invalid claim"',
    )
    expect(now.body).not.toContain('roles')
  })
})

describe('express-oauth2-jwt-bearer → @keyward/express, issuer down before the first fetch', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running

  beforeAll(async () => {
    issuer = await startIssuer({ jwksDown: true })
    const settings = { issuer: issuer.settings.issuer, audience: issuer.settings.audience }
    old = await serve(before(settings))
    keyward = await serve(after(settings))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('is a 401 invalid_token before (the client is told its token is bad), and a retryable 503 from keyward', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.token()
      const was = await old.get('/api/me', token)
      expect(was.status).toBe(401)
      expect(was.headers['www-authenticate']).toContain('error="invalid_token"')

      const now = await keyward.get('/api/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
      expect(now.headers['www-authenticate']).toBeUndefined()
    } finally {
      warn.mockRestore()
    }
  })
})
