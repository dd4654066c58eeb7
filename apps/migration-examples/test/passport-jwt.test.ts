import 'reflect-metadata'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DynamicModule } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppModule as After } from '../after/passport-jwt.js'
import {
  bodyOf,
  loadBefore,
  running,
  startIssuer,
  testDenylist,
  type AuthSettings,
  type Denylist,
  type Issuer,
  type Running,
} from './support.js'

const { AppModule: Before } = await loadBefore<{
  AppModule: { forRoot(settings: AuthSettings, revoked: Denylist): DynamicModule }
}>('passport-jwt')

async function serveNest(module: DynamicModule): Promise<Running> {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest's options are plain objects typed as a class
  const app = await NestFactory.create(module, { logger: false })
  await app.listen(0, '127.0.0.1')
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo
  return running(`http://127.0.0.1:${port}`, () => app.close())
}

// The differences docs/migrating-from-passport-jwt.md promises, shown on its two example apps.
describe('@nestjs/passport + passport-jwt + jwks-rsa → @keyward/nestjs', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()

  beforeAll(async () => {
    issuer = await startIssuer()
    old = await serveNest(Before.forRoot(issuer.settings, denylist))
    keyward = await serveNest(After.forRoot(issuer.settings, denylist))
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
      expect(bodyOf(reply)).toEqual({ sub: 'user-1' })
    }
  })

  it('refuses an expired token with 401 in both; only keyward says why, in the body and a challenge', async () => {
    const token = issuer.expired()
    const was = await old.get('/me', token)
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toBeUndefined()
    expect(bodyOf(was)).toEqual({ statusCode: 401, message: 'Unauthorized' })

    const now = await keyward.get('/me', token)
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token expired"',
    )
    expect(bodyOf(now)).toEqual({
      statusCode: 401,
      error: 'invalid_token',
      message: 'access token expired',
      code: 'token_expired',
    })
  })

  it('refuses a token for another audience with 401 in both', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.wrongAudience()
      const was = await old.get('/me', token)
      expect(was.status).toBe(401)
      expect(bodyOf(was)).toEqual({ statusCode: 401, message: 'Unauthorized' })

      const now = await keyward.get('/me', token)
      expect(now.status).toBe(401)
      expect(bodyOf(now)).toMatchObject({ error: 'invalid_token', code: 'invalid_audience' })
    } finally {
      warn.mockRestore()
    }
  })

  it('answers a request without a token with 401 in both; keyward sends a bare Bearer challenge and code missing_token', async () => {
    const was = await old.get('/me')
    expect(was.status).toBe(401)
    expect(was.headers['www-authenticate']).toBeUndefined()

    const now = await keyward.get('/me')
    expect(now.status).toBe(401)
    expect(now.headers['www-authenticate']).toBe('Bearer')
    expect(bodyOf(now)).toEqual({
      statusCode: 401,
      message: 'access token required',
      code: 'missing_token',
    })
  })

  it('refuses a revoked token with 401 in both; keyward says why', async () => {
    denylist.revoked.add('revoked-1')
    const token = issuer.token({ jti: 'revoked-1' })
    const was = await old.get('/me', token)
    expect(was.status).toBe(401)
    expect(bodyOf(was)).toEqual({ statusCode: 401, message: 'Unauthorized' })

    const now = await keyward.get('/me', token)
    expect(now.status).toBe(401)
    expect(bodyOf(now)).toMatchObject({ error: 'invalid_token', code: 'token_revoked' })
  })

  it('answers while the denylist is unreachable with 500 before, and a retryable 503 after', async () => {
    denylist.down = true
    try {
      const token = issuer.token()
      // validate()'s rejection reaches Nest as a plain Error.
      expect((await old.get('/me', token)).status).toBe(500)

      const now = await keyward.get('/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
      expect(bodyOf(now)).toMatchObject({ statusCode: 503, code: 'revocation_unavailable' })
    } finally {
      denylist.down = false
    }
  })

  it('answers a missing role with the hand-written ForbiddenException before, and 401 invalid_claim with @ClaimIncludes', async () => {
    const token = issuer.token({ roles: ['reader'] })
    const was = await old.get('/admin', token)
    expect(was.status).toBe(403)

    const now = await keyward.get('/admin', token)
    expect(now.status).toBe(401)
    expect(bodyOf(now)).toMatchObject({ error: 'invalid_token', code: 'invalid_claim' })
    const admin = issuer.token({ roles: ['admin'] })
    for (const app of [old, keyward]) expect((await app.get('/admin', admin)).status).toBe(200)
  })
})

describe('@nestjs/passport + passport-jwt + jwks-rsa → @keyward/nestjs, JWKS down before the first fetch', () => {
  let issuer: Issuer
  let old: Running
  let keyward: Running
  const denylist = testDenylist()

  beforeAll(async () => {
    issuer = await startIssuer({ jwksDown: true })
    old = await serveNest(Before.forRoot(issuer.settings, denylist))
    keyward = await serveNest(After.forRoot(issuer.settings, denylist))
  })
  afterAll(async () => {
    await Promise.all([old.close(), keyward.close()])
    await issuer.server.close()
  })

  it('is a 401 Unauthorized before, and a retryable 503 with Retry-After from keyward', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const token = issuer.token()
      expect((await old.get('/me', token)).status).toBe(401)

      const now = await keyward.get('/me', token)
      expect(now.status).toBe(503)
      expect(Number(now.headers['retry-after'])).toBeGreaterThan(0)
      expect(bodyOf(now)).toMatchObject({ statusCode: 503, code: 'jwks_unavailable' })
    } finally {
      warn.mockRestore()
    }
  })
})
