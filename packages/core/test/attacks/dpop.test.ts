// Attack family: DPoP proofs (RFC 9449 §4.3, §7, §11). A client holding a key sends a bound
// token with a proof; an attacker replays, retargets, forges or strips proofs. Real requests
// through a protected `node:http` app: exact status, code, WWW-Authenticate (RFC 9449 §7.1:
// `DPoP … algs`, after `Bearer` in mode `allowed`), body, and the handler never ran.
import { request as httpRequest } from 'node:http'
import {
  DpopClient,
  ERROR_DESCRIPTIONS,
  expectedDpopChallenge,
  oauthError,
  rawHttpGet,
  type DescribedCode,
  type HttpReply as Reply,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeywardErrorCode, ReplayStore } from '../../src/index.js'
import { registerToken } from './support/audit.js'
import { startScenario, type Scenario, type Target } from './support/scenario.js'

const BASE = 'https://api.test'
const HTU = `${BASE}/protected`
const ALGS = ['ES256', 'EdDSA'] as const
const dpop = (extra: Record<string, unknown> = {}) => ({
  dpop: { publicBaseUrl: BASE, algorithms: [...ALGS], ...extra },
})

describe('attacks: DPoP proofs', () => {
  let s: Scenario
  let target: Target
  let client: DpopClient
  let other: DpopClient
  beforeAll(async () => {
    s = await startScenario({ alg: 'ES256' })
    target = await s.newTarget(dpop())
    client = await DpopClient.create('ES256')
    other = await DpopClient.create('EdDSA')
  })
  afterAll(async () => {
    await s.close()
  })

  /** A token bound to `holder`'s key (RFC 9449 §6.1 `cnf.jkt`). */
  const bound = (holder: DpopClient = client, claims: Record<string, unknown> = {}): string => {
    const token = s.issuer.mint({ cnf: { jkt: holder.jkt }, ...claims })
    registerToken(token)
    return token
  }
  const proofHeaders = (
    token: string,
    options: Parameters<DpopClient['proof']>[0],
    holder: DpopClient = client,
  ): Record<string, string> => {
    const proof = holder.proof(options)
    registerToken(proof)
    return { authorization: `DPoP ${token}`, dpop: proof }
  }
  /** GET with exactly this request-target, bytes as written: `fetch` would normalise it. */
  const getPath = (app: Target, path: string, headers: Record<string, string>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(app.app.url)
      httpRequest({ host: hostname, port, path, headers }, (response) => {
        let body = ''
        response.setEncoding('latin1')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () => {
          const flat: Record<string, string | undefined> = {}
          for (const [name, value] of Object.entries(response.headers)) {
            flat[name] = Array.isArray(value) ? value.join(', ') : value
          }
          resolve({ status: response.statusCode ?? 0, headers: flat, body })
        })
      })
        .on('error', reject)
        .end()
    })
  const post = (app: Target, headers: Record<string, string>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(app.app.url)
      httpRequest({ host: hostname, port, path: '/protected', method: 'POST', headers }, (res) => {
        res.resume()
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: { 'www-authenticate': res.headers['www-authenticate'] },
            body: '',
          })
        })
      })
        .on('error', reject)
        .end()
    })

  async function accepted(app: Target, send: () => Promise<Reply>): Promise<Reply> {
    const runs = app.app.handlerRuns
    const reply = await send()
    expect({ status: reply.status, handlerRuns: app.app.handlerRuns }).toEqual({
      status: 200,
      handlerRuns: runs + 1,
    })
    return reply
  }

  async function rejected(
    app: Target,
    send: () => Promise<Reply>,
    code: KeywardErrorCode & (DescribedCode | 'missing_token'),
    { scheme = 'DPoP', bearer = true }: { scheme?: 'Bearer' | 'DPoP'; bearer?: boolean } = {},
  ): Promise<Reply> {
    const runs = app.app.handlerRuns
    const seen = app.app.outcomes.length
    const reply = await send()
    expect({
      status: reply.status,
      challenge: reply.headers['www-authenticate'],
      outcomes: app.app.outcomes.slice(seen),
      handlerRuns: app.app.handlerRuns,
    }).toEqual({
      status: 401,
      challenge: expectedDpopChallenge(code, { algs: ALGS, bearer, scheme }),
      outcomes: [{ kind: 'rejected', code, status: 401 }],
      handlerRuns: runs,
    })
    if (reply.body !== '') {
      expect(JSON.parse(reply.body)).toEqual(
        code === 'missing_token'
          ? {}
          : { error: oauthError(code), error_description: ERROR_DESCRIPTIONS[code] },
      )
    }
    return reply
  }
  const invalid = (send: () => Promise<Reply>) => rejected(target, send, 'invalid_dpop_proof')

  describe('the positive control', () => {
    it('accepts a bound token with a valid proof, and reports the binding', async () => {
      const token = bound()
      const reply = await accepted(target, () =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token })),
      )
      expect(JSON.parse(reply.body).binding).toEqual({ type: 'dpop', jkt: client.jkt })
    })

    it('accepts an EdDSA proof key and the DPoP scheme in any case', async () => {
      const token = bound(other)
      for (const scheme of ['DPoP', 'dpop', 'DPOP']) {
        const headers = proofHeaders(token, { htm: 'GET', htu: HTU, token }, other)
        headers.authorization = `${scheme} ${token}`
        await accepted(target, () => target.request(headers))
      }
    })
  })

  describe('replay (RFC 9449 §11.1)', () => {
    it('refuses a proof used twice, for the same token and request', async () => {
      const token = bound()
      const headers = proofHeaders(token, { htm: 'GET', htu: HTU, token })
      await accepted(target, () => target.request(headers))
      await rejected(target, () => target.request(headers), 'dpop_proof_replayed')
    })

    it('refuses a second proof with the same jti and key, even re-signed', async () => {
      const token = bound()
      await accepted(target, () =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, jti: 'same-jti' })),
      )
      await rejected(
        target,
        () => target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, jti: 'same-jti' })),
        'dpop_proof_replayed',
      )
    })
  })

  describe('method and URL (checks 8 and 9)', () => {
    it.each(['POST', 'get', 'HEAD'])('refuses a proof with htm %s on a GET', async (htm) => {
      const token = bound()
      await invalid(() => target.request(proofHeaders(token, { htm, htu: HTU, token })))
    })

    it('refuses a GET proof on a POST', async () => {
      const token = bound()
      await invalid(() => post(target, proofHeaders(token, { htm: 'GET', htu: HTU, token })))
    })

    it.each([
      ['another path', `${BASE}/other`],
      ['a path prefix', `${BASE}/protected/more`],
      ['a trailing slash', `${BASE}/protected/`],
      ['another case of the path', `${BASE}/PROTECTED`],
      ['another host', 'https://evil.test/protected'],
      ['a sub-domain', 'https://x.api.test/protected'],
      ['http instead of https', 'http://api.test/protected'],
      ['a non-default port', 'https://api.test:8443/protected'],
      ['credentials in the URL', 'https://user:pass@api.test/protected'],
      ['an encoded slash', `${BASE}%2Fprotected`],
      ['a relative URL', '/protected'],
      ['not a URL', 'protected'],
      ['a number', 42],
      ['a data: URL', 'data:text/plain,protected'],
    ])('refuses a proof whose htu is %s', async (_name, htu) => {
      const token = bound()
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, claims: { htu } })),
      )
    })

    it.each([
      ['a query (§4.3: compared without it)', `${HTU}?page=2`],
      ['a fragment (§4.3: compared without it)', `${HTU}#top`],
      ['an upper-case scheme and host (RFC 3986 §6.2.2.1)', 'HTTPS://API.TEST/protected'],
      ['the default port (RFC 3986 §6.2.3)', 'https://api.test:443/protected'],
      ['an encoded unreserved character (RFC 3986 §6.2.2.2)', `${BASE}/%70rotected`],
      ['dot segments the client resolves (RFC 3986 §6.2.2.3)', `${BASE}/x/../protected`],
    ])('accepts a proof whose htu differs only by %s', async (_name, htu) => {
      const token = bound()
      await accepted(target, () => target.request(proofHeaders(token, { htm: 'GET', htu, token })))
    })

    it('accepts a request with a query against a proof without one', async () => {
      const token = bound()
      await accepted(target, () =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token }), '/protected?page=3'),
      )
    })

    it.each([
      '/x/../protected',
      '/x/%2e%2e/protected',
      '/x/%2E%2E/protected',
      '/./protected',
      '//api.test/protected',
      '/protected/.',
    ])('refuses the request-target %s against a proof for /protected', async (path) => {
      const token = bound()
      await invalid(() =>
        getPath(target, path, proofHeaders(token, { htm: 'GET', htu: HTU, token })),
      )
    })

    it('builds the URI from configuration, never from Host or X-Forwarded-Host', async () => {
      const token = bound()
      const proof = proofHeaders(token, { htm: 'GET', htu: 'https://evil.test/protected', token })
      await invalid(() =>
        getPath(target, '/protected', {
          ...proof,
          host: 'evil.test',
          'x-forwarded-host': 'evil.test',
          'x-forwarded-proto': 'https',
        }),
      )
    })
  })

  describe('time (check 11)', () => {
    const now = () => Math.floor(Date.now() / 1000)
    it.each([
      ['stale: 2 minutes old', -120],
      ['stale: an hour old', -3600],
      ['in the future: 1 minute', 60],
      ['in the future: a day', 86_400],
    ])('refuses a proof whose iat is %s', async (_name, offset) => {
      const token = bound()
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, iat: now() + offset })),
      )
    })

    it.each([
      ['missing', undefined],
      ['a string', 'now'],
      ['null', null],
    ])('refuses a proof whose iat is %s', async (_name, iat) => {
      const token = bound()
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, claims: { iat } })),
      )
    })
  })

  describe('the access token hash and the key binding (checks 12, §6.1)', () => {
    it('refuses a proof without ath', async () => {
      const token = bound()
      await invalid(() => target.request(proofHeaders(token, { htm: 'GET', htu: HTU })))
    })

    it('refuses a proof whose ath is the hash of another token', async () => {
      const token = bound()
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token: bound() })),
      )
    })

    it('refuses a token bound to another key (a stolen token with the thief’s proof)', async () => {
      const token = bound(other)
      await rejected(
        target,
        () => target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token })),
        'dpop_binding_mismatch',
      )
    })

    it('refuses the victim’s public key in the header over the thief’s signature', async () => {
      const token = bound(other)
      const header = { jwk: other.publicJwk }
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, header })),
      )
    })

    it('refuses an unbound token with the DPoP scheme', async () => {
      const token = s.issuer.mint()
      registerToken(token)
      await rejected(
        target,
        () => target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token })),
        'dpop_binding_mismatch',
      )
    })

    it.each([
      ['a number', 42],
      ['an empty object', {}],
      ['another confirmation method', { 'x5t#S256': 'abc' }],
    ])('refuses a token whose cnf is %s with the DPoP scheme', async (_name, cnf) => {
      const token = s.issuer.mint({ cnf })
      registerToken(token)
      await rejected(
        target,
        () => target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token })),
        'dpop_binding_mismatch',
      )
    })

    it('refuses a bound token sent as Bearer (RFC 9449 §7.2), on the Bearer challenge', async () => {
      const token = bound()
      const proof = client.proof({ htm: 'GET', htu: HTU, token })
      registerToken(proof)
      await rejected(
        target,
        () => target.request({ authorization: `Bearer ${token}`, dpop: proof }),
        'sender_constrained_token',
        { scheme: 'Bearer' },
      )
      await rejected(
        target,
        () => target.request({ authorization: `Bearer ${token}` }),
        'sender_constrained_token',
        { scheme: 'Bearer' },
      )
    })
  })

  describe('the header: typ, alg, jwk (checks 4, 5, 7)', () => {
    it.each([
      ['without typ', { typ: undefined }],
      ['typed JWT', { typ: 'JWT' }],
      ['typed at+jwt', { typ: 'at+jwt' }],
      ['with a critical extension', { crit: ['exp'], exp: 1 }],
      ['without jwk', { jwk: undefined }],
      ['with a jwk that is a string', { jwk: 'key' }],
      ['with a jwk of another type than alg', { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }],
      ['with a jwk of another curve', { jwk: { kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' } }],
      ['with an alg outside the allowlist (ES384)', { alg: 'ES384' }],
      ['with alg none', { alg: 'none' }],
      ['with alg HS256', { alg: 'HS256' }],
    ])('refuses a proof %s', async (_name, header) => {
      const token = bound()
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, header })),
      )
    })

    it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])(
      'refuses a proof whose jwk has the private member %s',
      async (member) => {
        const token = bound()
        const jwk = { ...client.publicJwk, [member]: 'AQAB' }
        await invalid(() =>
          target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, header: { jwk } })),
        )
      },
    )

    it('refuses a proof with the full private key in its header', async () => {
      const token = bound()
      const jwk = client.key.privateKey.export({ format: 'jwk' })
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, header: { jwk } })),
      )
    })

    it('refuses an unsigned proof (alg none, empty signature)', async () => {
      const token = bound()
      const mint = { alg: 'none', signature: 'none-empty' } as const
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, mint })),
      )
    })

    it('refuses an HS256 proof keyed with the public key (algorithm confusion)', async () => {
      const token = bound()
      const mint = { alg: 'HS256', hmacSecret: JSON.stringify(client.publicJwk) }
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, mint })),
      )
    })

    it('refuses a proof with a bad signature, before claiming its jti', async () => {
      const token = bound()
      const options = { htm: 'GET', htu: HTU, token, jti: 'sig-then-replay' }
      await invalid(() =>
        target.request(proofHeaders(token, { ...options, mint: { signature: 'zeros' } })),
      )
      // The forged proof did not burn the jti: the client's real proof still works.
      await accepted(target, () => target.request(proofHeaders(token, options)))
    })
  })

  describe('the claims and the header field (checks 1, 2, 3)', () => {
    it.each([
      ['without jti', { jti: undefined }],
      ['with an empty jti', { jti: '' }],
      ['with a jti of 257 characters', { jti: 'j'.repeat(257) }],
      ['with a numeric jti', { jti: 7 }],
      ['without htm', { htm: undefined }],
      ['without htu', { htu: undefined }],
    ])('refuses a proof %s', async (_name, claims) => {
      const token = bound()
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, claims })),
      )
    })

    it('refuses an oversized proof before decoding it', async () => {
      const token = bound()
      const claims = { pad: 'x'.repeat(4096) }
      await invalid(() =>
        target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, claims })),
      )
    })

    it.each([
      ['not a JWS', 'abc'],
      ['five segments', 'a.b.c.d.e'],
      ['a JSON array header', `${Buffer.from('[]').toString('base64url')}.e30.c2ln`],
    ])('refuses a DPoP header that is %s', async (_name, value) => {
      const token = bound()
      await invalid(() => target.request({ authorization: `DPoP ${token}`, dpop: value }))
    })

    it('refuses the DPoP scheme without a DPoP header', async () => {
      const token = bound()
      await invalid(() => target.request({ authorization: `DPoP ${token}` }))
    })

    it('refuses two DPoP header fields, even with two valid proofs', async () => {
      const token = bound()
      const first = client.proof({ htm: 'GET', htu: HTU, token })
      const second = client.proof({ htm: 'GET', htu: HTU, token })
      registerToken(first)
      registerToken(second)
      await invalid(() =>
        rawHttpGet(`${target.app.url}/protected`, [
          `Authorization: DPoP ${token}`,
          `DPoP: ${first}`,
          `DPoP: ${second}`,
        ]),
      )
    })

    it('answers a proof without an access token as a request without credentials', async () => {
      const proof = client.proof({ htm: 'GET', htu: HTU })
      registerToken(proof)
      await rejected(target, () => target.request({ dpop: proof }), 'missing_token')
    })

    it('answers an invalid access token with a valid proof on the DPoP challenge', async () => {
      const token = s.issuer.mint({ cnf: { jkt: client.jkt } }, { signature: 'zeros' })
      registerToken(token)
      const reply = await target.request(proofHeaders(token, { htm: 'GET', htu: HTU, token }))
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(
        expectedDpopChallenge('invalid_signature', { algs: ALGS, bearer: true, scheme: 'DPoP' }),
      )
    })
  })

  describe('modes, nonces and the replay store', () => {
    it('in mode required, refuses Bearer with only a DPoP challenge', async () => {
      const required = await s.newTarget(dpop({ mode: 'required' }))
      const token = s.issuer.mint()
      registerToken(token)
      await rejected(
        required,
        () => required.request({ authorization: `Bearer ${token}` }),
        'dpop_required',
        { bearer: false },
      )
      const proofless = await required.request({})
      expect(proofless.headers['www-authenticate']).toBe(
        expectedDpopChallenge('missing_token', { algs: ALGS, bearer: false, scheme: 'DPoP' }),
      )
    })

    it('with nonces, answers use_dpop_nonce with a DPoP-Nonce, then accepts it', async () => {
      const nonced = await s.newTarget(dpop({ nonce: true }))
      const token = bound()
      const first = await rejected(
        nonced,
        () => nonced.request(proofHeaders(token, { htm: 'GET', htu: HTU, token })),
        'use_dpop_nonce',
      )
      const nonce = first.headers['dpop-nonce'] ?? ''
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{30}$/)
      await rejected(
        nonced,
        () =>
          nonced.request(
            proofHeaders(token, { htm: 'GET', htu: HTU, token, nonce: 'x' + nonce.slice(1) }),
          ),
        'use_dpop_nonce',
      )
      await accepted(nonced, () =>
        nonced.request(proofHeaders(token, { htm: 'GET', htu: HTU, token, nonce })),
      )
    })

    it('fails closed with 503 and Retry-After when the replay store cannot answer', async () => {
      const failing: ReplayStore = {
        claim: () => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })),
      }
      const app = await s.newTarget({ ...dpop(), replayStore: failing })
      const token = bound()
      const seen = s.events.length
      const runs = app.app.handlerRuns
      const reply = await app.request(proofHeaders(token, { htm: 'GET', htu: HTU, token }))
      expect({
        status: reply.status,
        retryAfter: reply.headers['retry-after'],
        challenge: reply.headers['www-authenticate'],
        body: JSON.parse(reply.body),
        handlerRuns: app.app.handlerRuns,
      }).toEqual({
        status: 503,
        retryAfter: '1',
        challenge: undefined,
        body: { error: 'temporarily_unavailable' },
        handlerRuns: runs,
      })
      expect(s.events.slice(seen).map((event) => event.type)).toContain('replay_store_unavailable')
      expect(s.events.slice(seen)).toContainEqual({
        type: 'replay_store_unavailable',
        reason: 'ECONNREFUSED',
      })
    })

    it('with singleUseTokens, accepts an access token once', async () => {
      const once = await s.newTarget({ singleUseTokens: true })
      const token = s.issuer.mint({ jti: 'once-only' })
      await once.accept(token)
      registerToken(token)
      const reply = await once.request({ authorization: `Bearer ${token}` })
      expect(reply.status).toBe(401)
      expect(once.app.outcomes.at(-1)).toEqual({
        kind: 'rejected',
        code: 'token_replayed',
        status: 401,
      })
    })

    it('answers a missing scope after DPoP on the DPoP challenge (403)', async () => {
      const token = bound(client, { scope: 'read' })
      const proof = proofHeaders(token, { htm: 'GET', htu: `${BASE}/admin`, token })
      const reply = await target.request(proof, '/admin')
      expect(reply.status).toBe(403)
      expect(reply.headers['www-authenticate']).toBe(
        'Bearer, DPoP error="insufficient_scope", error_description="insufficient scope", scope="admin", algs="ES256 EdDSA"',
      )
    })
  })
})
