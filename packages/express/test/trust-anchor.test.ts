import { startJwksServer, TestIssuer, thumbprintOf, type TestKey } from '@keyward/test-utils'
import express5, { type Express } from 'express'
import express4 from 'express4'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearerAuth, createVerifier, requireScopes, type Verifier } from '../src/index.js'
import { listen } from '@keyward/adapter-tests'

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

/** The README recipe: key administration behind its own scope, on the shared verifier. */
function adminApp(express: typeof express5, verifier: Verifier): Express {
  const app = express()
  const admin = express.Router()
  admin.use(bearerAuth(verifier), requireScopes('keys:admin'), express.json())
  admin.get('/keys', (_req, res) => {
    res.json(verifier.health())
  })
  admin.post('/keys/revoke', (req, res) => {
    try {
      res.json(verifier.revokeKey(req.body as never))
    } catch (error) {
      if (!(error instanceof TypeError)) throw error
      res.status(400).json({ error: 'invalid_request' })
    }
  })
  admin.post('/keys/restore', (req, res) => {
    try {
      res.json(verifier.restoreKey(req.body as never))
    } catch (error) {
      if (!(error instanceof TypeError)) throw error
      res.status(400).json({ error: 'invalid_request' })
    }
  })
  admin.post('/keys/refresh', async (req, res) => {
    const { issuer: name } = req.body as { issuer?: string }
    res.json(await verifier.refresh(name))
  })
  app.use('/admin', admin)
  app.get('/things', bearerAuth(verifier), (_req, res) => res.json({ ok: true }))
  return app
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('governing the trust anchor on %s', (_name, express) => {
  it('takes trustedKeys through bearerAuth options: an unmanaged key is 401 invalid_token', async () => {
    const app = express()
    app.get(
      '/things',
      bearerAuth({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        trustedKeys: [thumbprintOf(issuer.signingKey)],
      }),
      (_req, res) => res.json({ ok: true }),
    )
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
    const running = await listen(adminApp(express, verifier), () => {
      verifier.close()
    })
    const admin = issuer.mint({ scope: 'keys:admin' })
    const call = (path: string, body?: unknown, token = admin) =>
      fetch(`${running.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    const leakedToken = issuer.mint({}, { key: leaked })
    try {
      expect((await call('/things', undefined, leakedToken)).status).toBe(200)
      // Without the admin scope: 403, nothing revoked.
      const denied = await call(
        '/admin/keys/revoke',
        { issuer: issuer.issuer, kid: leaked.kid },
        issuer.mint(),
      )
      expect(denied.status).toBe(403)
      const revoked = await call('/admin/keys/revoke', {
        issuer: issuer.issuer,
        thumbprint: thumbprintOf(leaked),
      })
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
      const restored = await call('/admin/keys/restore', {
        issuer: issuer.issuer,
        thumbprint: thumbprintOf(leaked),
      })
      expect(await restored.json()).toEqual({ restored: true, restoredKeys: 1 })
      expect((await call('/things', undefined, leakedToken)).status).toBe(200)
    } finally {
      await running.close()
    }
  })
})
