import { startJwksServer, TestIssuer, thumbprintOf, type TestKey } from '@keyward/test-utils'
import Fastify5 from 'fastify'
import Fastify4 from 'fastify4'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  bearerAuth,
  createVerifier,
  requireScopes,
  type KeySelector,
  type Verifier,
} from '../src/index.js'
import { listen } from './helpers.js'

let issuer: TestIssuer
let leaked: TestKey
let server: Awaited<ReturnType<typeof startJwksServer>>

beforeEach(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  leaked = await issuer.addKey()
  server = await startJwksServer({ issuer })
})
afterEach(async () => {
  await server.close()
})

/** A selector that names no issuer or key of this verifier is the caller's mistake: 400. */
function operatorCall<T>(call: () => T, reply: { code(status: number): unknown }): T | object {
  try {
    return call()
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    reply.code(400)
    return { error: 'invalid_request' }
  }
}

/** The README recipe: key administration in its own context, behind its own scope. */
function adminApp(Fastify: typeof Fastify5, verifier: Verifier) {
  const app = Fastify()
  app.register(async (admin) => {
    await admin.register(bearerAuth, verifier)
    admin.addHook('onRequest', requireScopes('keys:admin'))
    admin.get('/admin/keys', () => verifier.health())
    admin.post<{ Body: KeySelector }>('/admin/keys/revoke', (request, reply) =>
      operatorCall(() => verifier.revokeKey(request.body), reply),
    )
    admin.post<{ Body: KeySelector }>('/admin/keys/restore', (request, reply) =>
      operatorCall(() => verifier.restoreKey(request.body), reply),
    )
    admin.post<{ Body: { issuer?: string } }>('/admin/keys/refresh', (request) =>
      verifier.refresh(request.body.issuer),
    )
  })
  app.register(async (api) => {
    await api.register(bearerAuth, verifier)
    api.get('/things', () => ({ ok: true }))
  })
  return app
}

describe.each([
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
])('governing the trust anchor on %s', (_name, Fastify) => {
  it('takes trustedKeys through the plugin options: an unmanaged key is 401 invalid_token', async () => {
    const app = Fastify()
    app.register(async (api) => {
      await api.register(bearerAuth, {
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        trustedKeys: [thumbprintOf(issuer.signingKey)],
      })
      api.get('/things', () => ({ ok: true }))
    })
    const running = await listen(app)
    try {
      const get = (token: string) =>
        fetch(`${running.url}/things`, { headers: { authorization: `Bearer ${token}` } })
      expect((await get(issuer.mint())).status).toBe(200)
      const refused = await get(issuer.mint({}, { key: leaked }))
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer error="invalid_token", error_description="signing key not found"',
      )
      expect(server.jwksRequests).toBe(1)
    } finally {
      await running.close()
    }
  })

  it('revokes and restores a key through an admin route behind its own scope', async () => {
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: server.url,
    })
    const running = await listen(adminApp(Fastify, verifier), () => {
      verifier.close()
    })
    const admin = issuer.mint({ scope: 'keys:admin' })
    const call = (path: string, body?: unknown, token = admin) =>
      fetch(`${running.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    const leakedToken = issuer.mint({}, { key: leaked })
    const selector = { issuer: issuer.issuer, thumbprint: thumbprintOf(leaked) }
    try {
      expect((await call('/things', undefined, leakedToken)).status).toBe(200)
      expect((await call('/admin/keys/revoke', selector, issuer.mint())).status).toBe(403)
      const revoked = await call('/admin/keys/revoke', selector)
      expect([revoked.status, await revoked.json()]).toEqual([
        200,
        { revoked: true, removedKeys: 1 },
      ])
      expect((await call('/things', undefined, leakedToken)).status).toBe(401)
      const health = (await (await call('/admin/keys')).json()) as {
        issuers: { revokedKeys: { thumbprint: string }[] }[]
      }
      expect(health.issuers[0]?.revokedKeys.map((entry) => entry.thumbprint)).toEqual([
        thumbprintOf(leaked),
      ])
      expect((await call('/admin/keys/revoke', { issuer: issuer.issuer })).status).toBe(400)
      const refreshed = await call('/admin/keys/refresh', {})
      expect(await refreshed.json()).toMatchObject([
        { issuer: issuer.issuer, outcome: 'refreshed' },
      ])
      expect((await call('/things', undefined, leakedToken)).status).toBe(401)
      const restored = await call('/admin/keys/restore', selector)
      expect(await restored.json()).toEqual({ restored: true, restoredKeys: 1 })
      expect((await call('/things', undefined, leakedToken)).status).toBe(200)
    } finally {
      await running.close()
    }
  })
})
