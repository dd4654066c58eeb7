import {
  DpopClient,
  expectedDpopChallenge,
  httpGet as get,
  oauthError,
  type DescribedCode,
  type HttpReply,
} from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectHandlerNotRun } from './expectations.js'
import { fixture, type Fixture, type StartApp } from './fixture.js'

/**
 * The resource's public base URL: `htu` names it, never the loopback address the test reaches
 * (RFC 9449 §4.3 check 9; the request's URI comes from configuration).
 */
export const DPOP_BASE_URL = 'https://api.test'
const ALGS = ['ES256', 'EdDSA'] as const

/** The 401 of a DPoP-accepting app (mode `allowed`): exact challenge, no handler, RFC 6750 body. */
function expectDpopRejected(
  reply: HttpReply,
  code: DescribedCode | 'missing_token',
  scheme: 'Bearer' | 'DPoP',
): void {
  expect(reply.status).toBe(401)
  expectHandlerNotRun(reply)
  expect(reply.headers['www-authenticate']).toBe(
    expectedDpopChallenge(code, { algs: ALGS, bearer: true, scheme }),
  )
  if (reply.headers['content-type']?.includes('application/json') === true) {
    const body = JSON.parse(reply.body) as { error?: unknown; error_description?: unknown }
    expect(body.error).toBe(code === 'missing_token' ? undefined : oauthError(code))
  }
}

function dpopFixture(start: StartApp, nonce: boolean): () => Fixture {
  return fixture(start, {
    dpop: { publicBaseUrl: DPOP_BASE_URL, algorithms: [...ALGS], ...(nonce ? { nonce } : {}) },
  })
}

/**
 * DPoP (RFC 9449) through the adapter: it must hand core the request's method, its URL as the
 * client sent it (the path before any router stripped its mount point) and the `DPoP` header,
 * and send back the challenges (`DPoP algs="…"`, RFC 9449 §7.1) and `DPoP-Nonce` (§9) core sets.
 * The proof rules themselves (every §4.3 check, hostile proofs) belong to core's suites.
 */
export function describeDpop(start: StartApp): void {
  describe('with DPoP allowed (RFC 9449)', () => {
    const f = dpopFixture(start, false)
    let client: DpopClient
    beforeAll(async () => {
      client = await DpopClient.create('ES256')
    })
    const bound = () => f().issuer.mint({ sub: 'dpop-user', cnf: { jkt: client.jkt } })

    it('accepts a DPoP-bound token with a proof for the request', async () => {
      const token = bound()
      const reply = await get(
        f().url('/protected'),
        client.headers('GET', `${DPOP_BASE_URL}/protected`, token),
      )
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toMatchObject({ sub: 'dpop-user' })
    })

    it('compares htu with the path before a router stripped its mount point', async () => {
      const token = bound()
      const reply = await get(
        f().url('/mounted/protected'),
        client.headers('GET', `${DPOP_BASE_URL}/mounted/protected`, token),
      )
      expect(reply.status).toBe(200)
      // The path the mounted router sees is not the URI the client signed.
      const stripped = await get(
        f().url('/mounted/protected'),
        client.headers('GET', `${DPOP_BASE_URL}/protected`, token),
      )
      expectDpopRejected(stripped, 'invalid_dpop_proof', 'DPoP')
    })

    it('accepts a proof without the query the request carries (RFC 9449 §4.3)', async () => {
      const reply = await get(
        f().url('/protected?page=2'),
        client.headers('GET', `${DPOP_BASE_URL}/protected`, bound()),
      )
      expect(reply.status).toBe(200)
    })

    it('challenges a request without credentials with Bearer and DPoP algs', async () => {
      expectDpopRejected(await get(f().url('/protected')), 'missing_token', 'Bearer')
    })

    it('refuses a DPoP-bound token sent as Bearer (RFC 9449 §7.2)', async () => {
      const reply = await get(f().url('/protected'), { authorization: `Bearer ${bound()}` })
      expectDpopRejected(reply, 'sender_constrained_token', 'Bearer')
    })

    it('refuses a DPoP request without a proof', async () => {
      const reply = await get(f().url('/protected'), { authorization: `DPoP ${bound()}` })
      expectDpopRejected(reply, 'invalid_dpop_proof', 'DPoP')
    })

    it('refuses a proof that is not a JWS', async () => {
      const reply = await get(f().url('/protected'), {
        authorization: `DPoP ${bound()}`,
        dpop: 'not-a-proof',
      })
      expectDpopRejected(reply, 'invalid_dpop_proof', 'DPoP')
    })

    it('refuses a proof used a second time (RFC 9449 §11.1)', async () => {
      const headers = client.headers('GET', `${DPOP_BASE_URL}/protected`, bound())
      expect((await get(f().url('/protected'), headers)).status).toBe(200)
      expectDpopRejected(await get(f().url('/protected'), headers), 'dpop_proof_replayed', 'DPoP')
    })

    it('refuses a proof made for another URL', async () => {
      const reply = await get(
        f().url('/protected'),
        client.headers('GET', `${DPOP_BASE_URL}/write`, bound()),
      )
      expectDpopRejected(reply, 'invalid_dpop_proof', 'DPoP')
    })

    it('refuses a proof naming the address the client connected to, not the public URL', async () => {
      const reply = await get(
        f().url('/protected'),
        client.headers('GET', f().url('/protected'), bound()),
      )
      expectDpopRejected(reply, 'invalid_dpop_proof', 'DPoP')
    })

    it('refuses a proof made for another method', async () => {
      const reply = await get(
        f().url('/protected'),
        client.headers('POST', `${DPOP_BASE_URL}/protected`, bound()),
      )
      expectDpopRejected(reply, 'invalid_dpop_proof', 'DPoP')
    })

    it('refuses a token bound to another key', async () => {
      const other = await DpopClient.create('ES256')
      const reply = await get(
        f().url('/protected'),
        other.headers('GET', `${DPOP_BASE_URL}/protected`, bound()),
      )
      expectDpopRejected(reply, 'dpop_binding_mismatch', 'DPoP')
    })

    it('still accepts a plain bearer token (mode allowed)', async () => {
      const reply = await get(f().url('/protected'), f().bearer())
      expect(reply.status).toBe(200)
    })
  })

  describe('with DPoP server nonces (RFC 9449 §8, §9)', () => {
    const f = dpopFixture(start, true)
    let client: DpopClient
    beforeAll(async () => {
      client = await DpopClient.create('EdDSA')
    })

    it('answers use_dpop_nonce with a DPoP-Nonce, then accepts a proof carrying it', async () => {
      const token = f().issuer.mint({ cnf: { jkt: client.jkt } })
      const htu = `${DPOP_BASE_URL}/protected`
      const first = await get(f().url('/protected'), client.headers('GET', htu, token))
      expectDpopRejected(first, 'use_dpop_nonce', 'DPoP')
      const nonce = first.headers['dpop-nonce']
      // RFC 9449 §8.1: the nonce is a non-empty NQCHAR string.
      expect(nonce).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/)
      const second = await get(f().url('/protected'), client.headers('GET', htu, token, { nonce }))
      expect(second.status).toBe(200)
    })
  })
}
