import { httpGet as get, startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContractApp } from '../contract-app.js'
import { expectRejected } from './expectations.js'
import type { StartApp } from './fixture.js'

const TEMPLATE = 'https://login.tenants.test/{tenant}/v2.0'
const tenantIssuer = (tenant: string): string => TEMPLATE.replace('{tenant}', tenant)

/**
 * `issuers` as a resolver reaches core through the adapter's options: a listed tenant's token
 * passes, any other issuer and a resolver that throws are 401 `invalid_token`, never a 500 or
 * an accept, and nothing is fetched for them.
 */
export function describeTenantIssuers(start: StartApp): void {
  describe('with tenant issuers (an issuers resolver)', () => {
    let issuer: TestIssuer
    let server: JwksServer
    let template: ContractApp
    let resolver: ContractApp
    beforeAll(async () => {
      issuer = await TestIssuer.create({ alg: 'ES256' })
      server = await startJwksServer({ issuer })
      template = await start({
        issuers: {
          issuer: TEMPLATE,
          tenants: ['alpha', 'beta'],
          audience: issuer.audience,
          jwksUri: server.url,
        },
        tenantCacheSize: 1,
      })
      resolver = await start({
        issuers: (iss) => {
          if (iss === tenantIssuer('boom')) throw new Error('resolver failure')
          return iss === tenantIssuer('alpha')
            ? { audience: issuer.audience, jwksUri: server.url }
            : undefined
        },
      })
    })
    afterAll(async () => {
      await template.close()
      await resolver.close()
      await server.close()
    })
    const bearer = (tenant: string) => ({
      authorization: `Bearer ${issuer.mint({ iss: tenantIssuer(tenant), sub: tenant })}`,
    })

    it("accepts each listed tenant's token, through the template and the function", async () => {
      for (const [app, tenants] of [
        [template, ['alpha', 'beta', 'alpha']],
        [resolver, ['alpha']],
      ] as const) {
        for (const tenant of tenants) {
          const reply = await get(`${app.url}/protected`, bearer(tenant))
          expect(reply.status).toBe(200)
          expect(JSON.parse(reply.body)).toMatchObject({ sub: tenant })
        }
      }
    })

    it('answers another issuer, and a resolver that throws, with 401 invalid_token and no fetch', async () => {
      const before = server.jwksRequests
      for (const [app, tenant] of [
        [template, 'gamma'],
        [resolver, 'beta'],
        [resolver, 'boom'],
      ] as const) {
        expectRejected(await get(`${app.url}/protected`, bearer(tenant)), {
          status: 401,
          error: 'invalid_token',
        })
      }
      expect(server.jwksRequests).toBe(before)
    })
  })
}
