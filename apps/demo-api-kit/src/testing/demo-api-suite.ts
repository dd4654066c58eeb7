import { DEMO_RESOURCES, requestToken, startDevIssuer, type DevIssuer } from '@keyward/dev-issuer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadApiConfig, type DemoApiConfig } from '../config.js'
import type { HealthBody } from '../health.js'
import type { RunningApi } from '../listen.js'

/** How a demo API app starts, for {@link demoApiSuite}. */
export interface DemoApiUnderTest {
  readonly service: string
  readonly audience: string
  readonly start: (config: DemoApiConfig) => Promise<RunningApi>
}

/**
 * The behaviour every demo API shares, run against a real dev issuer (oidc-provider) on
 * loopback: public route, `GET /me`, the write scope, audience isolation, readiness, and a 503
 * when the API starts while the issuer's keys are unreachable.
 *
 * @example
 * ```ts
 * demoApiSuite({ service: 'express-api', audience: AUDIENCE, start: startServer })
 * ```
 */
export function demoApiSuite(app: DemoApiUnderTest): void {
  describe(`${app.service} against the dev issuer`, () => {
    let issuer: DevIssuer
    let api: RunningApi
    const quiet = (): void => undefined
    const startApi = (): Promise<RunningApi> =>
      app.start(loadApiConfig({ ISSUER_URL: issuer.url }, app, quiet))
    const other = DEMO_RESOURCES.find((r) => r.indicator !== app.audience)
    if (other === undefined) throw new Error('the dev issuer knows no other API')

    const token = async (clientId: string, scope: string, resource = app.audience) => {
      const client = issuer.clients.find((c) => c.clientId === clientId)
      if (client === undefined) throw new Error(`the dev issuer has no client ${clientId}`)
      const response = await requestToken({
        tokenEndpoint: issuer.tokenEndpoint,
        clientId,
        clientSecret: client.clientSecret,
        resource,
        scope,
      })
      return response.accessToken
    }
    const call = (path: string, token?: string, method = 'GET') =>
      fetch(`${api.url}${path}`, {
        method,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      })

    beforeAll(async () => {
      issuer = await startDevIssuer()
      api = await startApi()
    })
    afterAll(async () => {
      await api.close()
      await issuer.close()
    })

    it('serves the public route without a token', async () => {
      const response = await call('/')
      expect(response.status).toBe(200)
    })

    it('answers GET /me with the client id and scopes of the verified token', async () => {
      const response = await call('/me', await token('demo-reader', 'notes:read'))
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({
        clientId: 'demo-reader',
        scopes: ['notes:read'],
        audience: [app.audience],
        issuer: issuer.url,
        kid: issuer.keyRing.signingKid,
      })
    })

    it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
      const response = await call('/me')
      expect(response.status).toBe(401)
      const challenge = response.headers.get('www-authenticate')
      expect(challenge).toMatch(/^Bearer\b/)
      expect(challenge).not.toContain('error=')
    })

    it('answers 401 invalid_token to a token minted for another API', async () => {
      const response = await call('/me', await token('demo-reader', 'notes:read', other.indicator))
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
    })

    it('answers 403 naming notes:write to a reader on POST /notes and 201 to a writer', async () => {
      const reader = await call('/notes', await token('demo-reader', 'notes:read'), 'POST')
      expect(reader.status).toBe(403)
      const challenge = reader.headers.get('www-authenticate')
      expect(challenge).toContain('error="insufficient_scope"')
      expect(challenge).toContain('scope="notes:write"')
      const writer = await call(
        '/notes',
        await token('demo-writer', 'notes:read notes:write'),
        'POST',
      )
      expect(writer.status).toBe(201)
      expect(await writer.json()).toMatchObject({ createdBy: 'demo-writer' })
    })

    it('reports ready with fresh keys on /healthz', async () => {
      const response = await call('/healthz')
      expect(response.status).toBe(200)
      const body = (await response.json()) as HealthBody
      expect(body.status).toBe('ok')
      expect(body.issuers[0]?.keyIds).toEqual([issuer.keyRing.signingKid])
    })

    it('answers 503 with Retry-After when started while the issuer keys are unreachable', async () => {
      const reader = await token('demo-reader', 'notes:read')
      issuer.setOutage('503')
      const late = await startApi()
      try {
        const response = await fetch(`${late.url}/me`, {
          headers: { authorization: `Bearer ${reader}` },
        })
        expect(response.status).toBe(503)
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
        expect((await fetch(`${late.url}/healthz`)).status).toBe(503)
      } finally {
        issuer.setOutage('off')
        await late.close()
      }
    })
  })
}
