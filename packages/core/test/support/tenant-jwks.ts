import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TestIssuer } from '@keyward/test-utils'

/** Issuer template of the tenant tests: one issuer per tenant, like Microsoft Entra ID's. */
export const TENANT_ISSUER = 'https://login.tenants.test/{tenant}/v2.0'

/**
 * A real loopback server publishing one JWKS per tenant at `/<tenant>/jwks`, each from its own
 * {@link TestIssuer} (created on first use), with the requests counted per tenant.
 */
export interface TenantJwks {
  /** `http://127.0.0.1:PORT/{tenant}/jwks`: a `jwksUri` template. */
  readonly jwksUri: string
  /** The issuer of `tenant`, its keys generated on first use. */
  issuer(tenant: string): Promise<TestIssuer>
  /** JWKS requests so far, by tenant. */
  readonly requests: ReadonlyMap<string, number>
  /** Every JWKS request so far. */
  readonly total: number
  close(): Promise<void>
}

export async function startTenantJwks(alg: 'ES256' | 'RS256' = 'ES256'): Promise<TenantJwks> {
  const issuers = new Map<string, TestIssuer>()
  const requests = new Map<string, number>()
  let total = 0
  const server: Server = createServer((req, res) => {
    const match = /^\/([^/]+)\/jwks$/.exec(req.url ?? '')
    const tenant = match?.[1]
    const issuer = tenant === undefined ? undefined : issuers.get(tenant)
    total++
    if (tenant !== undefined) requests.set(tenant, (requests.get(tenant) ?? 0) + 1)
    if (issuer === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(issuer.jwks()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    jwksUri: `http://127.0.0.1:${port}/{tenant}/jwks`,
    async issuer(tenant) {
      let found = issuers.get(tenant)
      if (found === undefined) {
        found = await TestIssuer.create({
          issuer: TENANT_ISSUER.replace('{tenant}', tenant),
          audience: 'https://api.tenants.test',
          alg,
        })
        issuers.set(tenant, found)
      }
      return found
    },
    requests,
    get total() {
      return total
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}
