// SPIFFE ID guards on Fastify 4 and 5: a JWT-SVID from a real bundle endpoint through
// bearerAuth, then requireSpiffeId. The IDs' matching rules are core's (workload-checks.test.ts).
import { createVerifier, type Verifier } from '@keyward/core'
import {
  expectedChallenge,
  startJwksServer,
  TestTrustDomain,
  type JwksServer,
} from '@keyward/test-utils'
import Fastify5 from 'fastify'
import Fastify4 from 'fastify4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerAuth, requireServiceAccount, requireSpiffeId } from '../src/index.js'

let domain: TestTrustDomain
let bundle: JwksServer
let verifier: Verifier
beforeAll(async () => {
  domain = await TestTrustDomain.create()
  bundle = await startJwksServer({ jwks: () => domain.bundle() })
  verifier = createVerifier({
    spiffe: {
      trustDomains: [
        { trustDomain: domain.trustDomain, bundleEndpoint: bundle.url, audience: domain.audience },
      ],
    },
  })
})
afterAll(async () => {
  verifier.close()
  await bundle.close()
})

describe.each([
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
])('requireSpiffeId on %s', (_name, Fastify) => {
  async function call(
    token: string,
  ): Promise<{ status: number; challenge: unknown; body: string }> {
    const app = Fastify()
    app.register(async (api) => {
      await api.register(bearerAuth, verifier)
      api.get(
        '/charges',
        { onRequest: requireSpiffeId('spiffe://example.org/ns/shop/*') },
        (request) => ({ caller: request.auth?.spiffe?.id }),
      )
    })
    try {
      const reply = await app.inject({
        url: '/charges',
        headers: { authorization: `Bearer ${token}` },
      })
      return {
        status: reply.statusCode,
        challenge: reply.headers['www-authenticate'],
        body: reply.body,
      }
    } finally {
      await app.close()
    }
  }

  it('lets an allowed workload through with its SPIFFE ID on request.auth', async () => {
    expect(await call(domain.mint('/ns/shop/sa/web'))).toEqual({
      status: 200,
      challenge: undefined,
      body: JSON.stringify({ caller: 'spiffe://example.org/ns/shop/sa/web' }),
    })
  })

  it('answers another workload with 403 workload_not_allowed', async () => {
    const reply = await call(domain.mint('/ns/batch/sa/report'))
    expect([reply.status, reply.challenge]).toEqual([
      403,
      expectedChallenge('workload_not_allowed'),
    ])
  })

  it('refuses invalid patterns when created', () => {
    expect(() => requireSpiffeId('spiffe://example.org/ns/shop/')).toThrow(TypeError)
    expect(() => requireServiceAccount('shop')).toThrow(TypeError)
  })
})
