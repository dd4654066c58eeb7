// SPIFFE ID guards over HTTP: a JWT-SVID from a real bundle endpoint through bearerAuth, then
// requireSpiffeId. The IDs' matching rules are core's (workload-checks.test.ts); here, the
// answer Koa sends.
import { createVerifier, type Verifier } from '@keyward/core'
import {
  expectedChallenge,
  startJwksServer,
  TestTrustDomain,
  type JwksServer,
} from '@keyward/test-utils'
import KoaApp from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bearerAuth,
  requireServiceAccount,
  requireSpiffeId,
  type KeywardState,
} from '../src/index.js'
import { listen } from './helpers.js'

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
): Promise<{ status: number; challenge: string | null; body: string }> {
  const app = new KoaApp<KeywardState>()
  app.use(bearerAuth(verifier))
  app.use(requireSpiffeId('spiffe://example.org/ns/shop/*'))
  app.use((ctx) => {
    ctx.body = { caller: ctx.state.auth?.spiffe?.id }
  })
  const running = await listen(app.callback())
  try {
    const response = await fetch(running.url, { headers: { authorization: `Bearer ${token}` } })
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: await response.text(),
    }
  } finally {
    await running.close()
  }
}

describe('requireSpiffeId', () => {
  it('lets an allowed workload through with its SPIFFE ID on ctx.state.auth', async () => {
    expect(await call(domain.mint('/ns/shop/sa/web'))).toEqual({
      status: 200,
      challenge: null,
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
