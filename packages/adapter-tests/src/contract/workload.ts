import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ERROR_DESCRIPTIONS,
  httpGet as get,
  startJwksServer,
  startKubernetesApiServer,
  TestIssuer,
  TestTrustDomain,
  type JwksServer,
  type KubernetesApiServer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContractApp } from '../contract-app.js'
import { expectRejected } from './expectations.js'
import type { StartApp } from './fixture.js'

/** What `/workload-spiffe` allows (`requireSpiffeId`, Nest `@SpiffeIds`). */
export const CONTRACT_SPIFFE_IDS = ['spiffe://example.org/ns/shop/*'] as const
/** What `/workload-service-account` allows (`requireServiceAccount`, Nest `@ServiceAccounts`). */
export const CONTRACT_SERVICE_ACCOUNTS = ['billing/invoicer', 'ops/*'] as const

/**
 * Workload guards through the adapter: one verifier trusting an OAuth issuer, a SPIFFE trust
 * domain (bundle endpoint) and a Kubernetes cluster (a stand-in API server with its own CA and a
 * token-protected JWKS). An allowed workload reaches the handler; another workload, or an access
 * token, is 403 `workload_not_allowed` with an `insufficient_scope` challenge and no `scope`; a
 * credential that names no workload correctly is 401 with its precise code. The matching rules
 * themselves are core's (workload-checks.test.ts).
 */
export function describeWorkloadGuards(start: StartApp): void {
  describe('with SPIFFE and Kubernetes workloads (workload guards)', () => {
    let issuer: TestIssuer
    let jwks: JwksServer
    let domain: TestTrustDomain
    let bundle: JwksServer
    let cluster: KubernetesApiServer
    let dir: string
    let app: ContractApp
    beforeAll(async () => {
      issuer = await TestIssuer.create({ alg: 'ES256' })
      jwks = await startJwksServer({ issuer })
      domain = await TestTrustDomain.create({ audience: issuer.audience })
      bundle = await startJwksServer({ jwks: () => domain.bundle(), jwksPath: '/bundle' })
      cluster = await startKubernetesApiServer({ audience: issuer.audience })
      dir = mkdtempSync(join(tmpdir(), 'keyward-contract-'))
      const tokenFile = join(dir, 'token')
      writeFileSync(tokenFile, cluster.readerToken())
      app = await start({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: jwks.url,
        spiffe: {
          trustDomains: [
            {
              trustDomain: domain.trustDomain,
              bundleEndpoint: bundle.url,
              audience: domain.audience,
            },
          ],
        },
        kubernetes: {
          issuer: cluster.issuer,
          audience: cluster.audience,
          ca: cluster.ca,
          tokenFile,
        },
        // The operator's lines about refused audiences are not this topic's subject.
        logger: false,
      })
    })
    afterAll(async () => {
      await app.close()
      await Promise.all([jwks.close(), bundle.close(), cluster.close()])
      rmSync(dir, { recursive: true, force: true })
    })
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
    const forbidden = (reply: Awaited<ReturnType<typeof get>>) => {
      expectRejected(reply, { status: 403, error: 'insufficient_scope' })
      expect(reply.headers['www-authenticate']).toContain(
        `error_description="${ERROR_DESCRIPTIONS.workload_not_allowed}"`,
      )
    }

    it('lets an allowed JWT-SVID through, named by its SPIFFE ID', async () => {
      const reply = await get(`${app.url}/workload-spiffe`, bearer(domain.mint('/ns/shop/sa/web')))
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toMatchObject({ sub: 'spiffe://example.org/ns/shop/sa/web' })
    })

    it('answers another SPIFFE ID, a service account or an access token with 403 workload_not_allowed', async () => {
      forbidden(await get(`${app.url}/workload-spiffe`, bearer(domain.mint('/ns/batch/sa/report'))))
      forbidden(
        await get(`${app.url}/workload-spiffe`, bearer(cluster.mint({ namespace: 'shop' }))),
      )
      forbidden(await get(`${app.url}/workload-spiffe`, bearer(issuer.mint())))
    })

    it('lets allowed service accounts through, by name and by namespace', async () => {
      for (const [namespace, serviceAccount] of [
        ['billing', 'invoicer'],
        ['ops', 'deployer'],
      ] as const) {
        const token = cluster.mint({ namespace, serviceAccount })
        const reply = await get(`${app.url}/workload-service-account`, bearer(token))
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toMatchObject({
          sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
        })
      }
    })

    it('answers another service account or a JWT-SVID with 403 workload_not_allowed', async () => {
      const url = `${app.url}/workload-service-account`
      forbidden(await get(url, bearer(cluster.mint({ namespace: 'billing', serviceAccount: 'x' }))))
      forbidden(await get(url, bearer(domain.mint('/ns/billing/sa/invoicer'))))
    })

    it('answers a workload route without a token with a bare 401', async () => {
      expectRejected(await get(`${app.url}/workload-spiffe`), { status: 401, error: null })
      expectRejected(await get(`${app.url}/workload-service-account`), { status: 401, error: null })
    })

    it.each([
      ['a JWT-SVID whose sub is not a SPIFFE ID', 'invalid_spiffe_id'],
      ['a JWT-SVID of an unconfigured trust domain', 'untrusted_trust_domain'],
      ['a service-account token for another audience', 'invalid_audience'],
    ] as const)('answers %s with 401 %s before the guard', async (_, code) => {
      const token =
        code === 'invalid_spiffe_id'
          ? domain.mint('/x', { sub: 'spiffe://example.org/ns//web' })
          : code === 'untrusted_trust_domain'
            ? domain.mint('/x', { sub: 'spiffe://evil.example/ns/shop/sa/web' })
            : cluster.mint({ namespace: 'ops', audience: 'https://kubernetes.default.svc' })
      const path = code === 'invalid_audience' ? '/workload-service-account' : '/workload-spiffe'
      const reply = await get(`${app.url}${path}`, bearer(token))
      expectRejected(reply, { status: 401, error: 'invalid_token' })
      expect(reply.headers['www-authenticate']).toContain(
        `error_description="${ERROR_DESCRIPTIONS[code]}"`,
      )
    })
  })
}
