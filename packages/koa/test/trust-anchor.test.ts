import { startJwksServer, TestIssuer, thumbprintOf, type TestKey } from '@keyward/test-utils'
import Koa, { type Middleware } from 'koa'
import Koa2 from 'koa2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  bearerAuth,
  createVerifier,
  requireScopes,
  type KeywardState,
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

/** The request body as JSON (the README uses @koa/bodyparser; tests need no extra package). */
async function jsonBody(ctx: { req: AsyncIterable<Buffer> }): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of ctx.req) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
}

/** The README recipe: key administration behind its own scope, on the shared verifier. */
function adminRoutes(verifier: Verifier): Middleware<KeywardState> {
  const guard = [bearerAuth(verifier), requireScopes('keys:admin')]
  const handlers: Record<string, (body: unknown) => unknown> = {
    'POST /admin/keys/revoke': (body) => verifier.revokeKey(body as never),
    'POST /admin/keys/restore': (body) => verifier.restoreKey(body as never),
    'POST /admin/keys/refresh': (body) => verifier.refresh((body as { issuer?: string }).issuer),
    'GET /admin/keys': () => verifier.health(),
  }
  return async (ctx, next) => {
    const handler = handlers[`${ctx.method} ${ctx.path}`]
    if (handler === undefined) {
      await next()
      return
    }
    const run = async (index: number): Promise<void> => {
      const step = guard[index]
      if (step !== undefined) {
        await step(ctx, () => run(index + 1))
        return
      }
      try {
        ctx.body = await handler(ctx.method === 'POST' ? await jsonBody(ctx) : undefined)
      } catch (error) {
        if (!(error instanceof TypeError)) throw error
        ctx.status = 400
        ctx.body = { error: 'invalid_request' }
      }
    }
    await run(0)
  }
}

describe.each([
  ['Koa 3', Koa],
  ['Koa 2', Koa2],
])('governing the trust anchor on %s', (_name, KoaApp) => {
  it('takes trustedKeys through bearerAuth options: an unmanaged key is 401 invalid_token', async () => {
    const app = new KoaApp<KeywardState>()
    app.use(
      bearerAuth({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        trustedKeys: [thumbprintOf(issuer.signingKey)],
      }),
    )
    app.use((ctx) => {
      ctx.body = { ok: true }
    })
    const running = await listen(app.callback())
    try {
      const get = (token: string) =>
        fetch(running.url, { headers: { authorization: `Bearer ${token}` } })
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
    const app = new KoaApp<KeywardState>()
    app.use(adminRoutes(verifier))
    app.use(bearerAuth(verifier))
    app.use((ctx) => {
      ctx.body = { ok: true }
    })
    const running = await listen(app.callback(), () => {
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
