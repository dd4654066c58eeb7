import type Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp as after } from '../after/koa-jwt.js'
import {
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
  createApp: (settings: AuthSettings, revoked: Denylist) => Koa
}>('koa-jwt')

function serveKoa(app: Koa): Promise<Running> {
  // Koa prints unexposed errors (keyward's 503) to stderr; the assertions are on the answers.
  app.silent = true
  const handle = app.callback()
  return serve((req, res) => void handle(req, res))
}

// The differences docs/migrating-from-koa-jwt.md promises, shown on its two example apps.
describe('koa-jwt + jwks-rsa → @keyward/koa', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()

  beforeAll(async () => {
    issuer = await startIssuer()
    old = await serveKoa(before(issuer.settings, denylist))
    keyward = await serveKoa(after(issuer.settings, denylist))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('answers 200 with the same subject to a valid token in both apps', async () => {
    const token = issuer.token()
    for (const app of [old, keyward]) {
      const reply = await app.get('/me', token)
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toEqual({ sub: 'user-1' })
    }
  })

  it('refuses an expired token with 401 in both; koa-jwt says "Authentication Error", keyward the reason and a challenge', async () => {
    const token = issuer.expired()
    const was = await old.get('/me', token)
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toBeUndefined()
    expect(was.body).toBe('Authentication Error')

    const now = await keyward.get('/me', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token expired"',
    )
    // Koa's default error handler: the exposed message as text/plain.
    expect(now.headers['content-type']).toMatch(/^text\/plain/)
    expect(now.body).toBe('access token expired')
  })

  it('refuses a token for another audience with 401 in both', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.wrongAudience()
      const was = await old.get('/me', token)
      expect(was.status).toBe(401)
      expect(was.body).toBe('Authentication Error')

      const now = await keyward.get('/me', token)
      expect(now.status).toBe(401)
      expect(now.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="audience not accepted"',
      )
    } finally {
      warn.mockRestore()
    }
  })

  it('answers a request without a token with 401 in both; keyward sends a bare Bearer challenge', async () => {
    const was = await old.get('/me')
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toBeUndefined()

    const now = await keyward.get('/me')
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe('Bearer')
    expect(now.body).toBe('access token required')
  })

  it('reads the token from the access_token cookie, in both', async () => {
    const headers = { cookie: `theme=dark; access_token=${issuer.token()}` }
    for (const app of [old, keyward]) {
      const reply = await app.get('/me', undefined, headers)
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toEqual({ sub: 'user-1' })
    }
  })

  it('lets the cookie win over the header before; keyward refuses two different tokens with 400', async () => {
    const headers = { cookie: `access_token=${issuer.token({ sub: 'from-cookie' })}` }
    const was = await old.get('/me', issuer.token(), headers)
    expect(was.status).toBe(200)
    expect(JSON.parse(was.body)).toEqual({ sub: 'from-cookie' })

    const now = await keyward.get('/me', issuer.token(), headers)
    expect(now.status).toBe(400)
    expect(now.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/)
  })

  it('refuses a revoked token with 401 in both; keyward says it was revoked', async () => {
    denylist.revoked.add('revoked-1')
    const token = issuer.token({ jti: 'revoked-1' })
    const was = await old.get('/me', token)
    expect(was.status).toBe(401)
    expect(was.body).toBe('Authentication Error')

    const now = await keyward.get('/me', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token revoked"',
    )
  })

  it('answers while the denylist is unreachable with 401 before, and a retryable 503 after', async () => {
    denylist.down = true
    try {
      const token = issuer.token()
      const was = await old.get('/me', token)
      expect(was.status).toBe(401)
      expect(was.body).toBe('Authentication Error')

      const now = await keyward.get('/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
    } finally {
      denylist.down = false
    }
  })

  it('answers a missing role with the hand-written 403 before, and 401 invalid_claim with claimIncludes', async () => {
    const token = issuer.token({ roles: ['reader'] })
    expect((await old.get('/admin', token)).status).toBe(403)

    const now = await keyward.get('/admin', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="invalid claim"',
    )
    const admin = issuer.token({ roles: ['admin'] })
    for (const app of [old, keyward]) expect((await app.get('/admin', admin)).status).toBe(200)
  })
})

describe('koa-jwt + jwks-rsa → @keyward/koa, JWKS down before the first fetch', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()

  beforeAll(async () => {
    issuer = await startIssuer({ jwksDown: true })
    old = await serveKoa(before(issuer.settings, denylist))
    keyward = await serveKoa(after(issuer.settings, denylist))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('is a 401 "Authentication Error" before, and a retryable 503 with Retry-After from keyward', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.token()
      const was = await old.get('/me', token)
      expect(was.status).toBe(401)
      expect(was.body).toBe('Authentication Error')

      const now = await keyward.get('/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
      expect(now.body).toBe('Service Unavailable')
    } finally {
      warn.mockRestore()
    }
  })
})
