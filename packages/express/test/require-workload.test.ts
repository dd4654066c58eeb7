// SPIFFE ID and service-account guards over HTTP: a JWT-SVID from a real bundle endpoint
// through bearerAuth, then requireSpiffeId. The IDs' matching rules are core's
// (workload-checks.test.ts); here, the answer Express sends.
import { createVerifier, type Verifier } from '@keyward/core'
import { listen } from '@keyward/adapter-tests'
import {
  expectedChallenge,
  startJwksServer,
  TestTrustDomain,
  type JwksServer,
} from '@keyward/test-utils'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bearerAuth,
  keywardErrorHandler,
  requireServiceAccount,
  requireSpiffeId,
} from '../src/index.js'

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

async function call(
  token: string,
): Promise<{ status: number; challenge: string | null; body: unknown }> {
  const app = express()
  app.get(
    '/charges',
    bearerAuth(verifier),
    requireSpiffeId('spiffe://example.org/ns/shop/*'),
    (req, res) => {
      res.json({ caller: req.auth?.spiffe?.id })
    },
  )
  app.use(keywardErrorHandler())
  const running = await listen(app)
  try {
    const response = await fetch(`${running.url}/charges`, {
      headers: { authorization: `Bearer ${token}` },
    })
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: await response.json(),
    }
  } finally {
    await running.close()
  }
}

describe('requireSpiffeId', () => {
  it('lets an allowed workload through with its SPIFFE ID on req.auth', async () => {
    expect(await call(domain.mint('/ns/shop/sa/web'))).toEqual({
      status: 200,
      challenge: null,
      body: { caller: 'spiffe://example.org/ns/shop/sa/web' },
    })
  })

  it('answers another workload with 403 workload_not_allowed', async () => {
    expect(await call(domain.mint('/ns/batch/sa/report'))).toEqual({
      status: 403,
      challenge: expectedChallenge('workload_not_allowed'),
      body: { error: 'insufficient_scope', error_description: 'workload not allowed' },
    })
  })

  it('answers a sub that is not a SPIFFE ID with 401 invalid_spiffe_id, before the guard', async () => {
    const reply = await call(domain.mint('/x', { sub: 'spiffe://example.org/ns//web' }))
    expect([reply.status, reply.challenge]).toEqual([401, expectedChallenge('invalid_spiffe_id')])
  })

  it('refuses invalid patterns when created', () => {
    expect(() => requireSpiffeId('spiffe://example.org/ns/shop/')).toThrow(TypeError)
    expect(() => requireServiceAccount('shop')).toThrow(TypeError)
  })
})
