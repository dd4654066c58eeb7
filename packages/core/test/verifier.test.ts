import { expectedChallenge, startJwksServer } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { isKeywardError } from '../src/errors.js'
import type { BearerRequest } from '../src/extract-bearer-token.js'
import { requireAnyScope, requireScopes, scopeCheck } from '../src/scope-requirements.js'
import { createVerifier, resolveVerifier } from '../src/verifier.js'
import {
  expectInvalidRequest,
  expectInvalidToken,
  expectMissingToken,
  rejectionOf,
  segments,
  serialise,
  useFixture,
} from './helpers.js'

const fx = useFixture()

function request(authorization?: string | string[], extra: Partial<BearerRequest> = {}) {
  return {
    headers: authorization === undefined ? {} : { authorization },
    ...extra,
  } satisfies BearerRequest
}

describe('authenticate', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])(
    'accepts the %s scheme in any case',
    async (scheme) => {
      const token = fx.issuer.mint()
      const auth = await fx.verifier().authenticate(request(`${scheme} ${token}`))
      expect(auth?.token).toBe(token)
    },
  )

  it('accepts several spaces between the scheme and the token', async () => {
    const token = fx.issuer.mint()
    const auth = await fx.verifier().authenticate(request(`Bearer    ${token}`))
    expect(auth?.token).toBe(token)
  })

  it('rejects a request without Authorization as missing_token with a bare challenge', async () => {
    await expectMissingToken(fx.verifier().authenticate(request()))
  })

  it('treats another scheme (Basic) as no bearer token', async () => {
    await expectMissingToken(fx.verifier().authenticate(request('Basic dXNlcjpwYXNz')))
  })

  it.each([
    ['Bearer alone', 'Bearer'],
    ['a tab separator', 'Bearer\tabc.def.ghi'],
    ['two credentials in one line', 'Bearer abc.def.ghi, Bearer jkl.mno.pqr'],
    ['two tokens after one scheme', 'Bearer abc.def.ghi jkl.mno.pqr'],
    ['a value outside token68', 'Bearer abc.def.ghi"'],
    ['padding in the middle', 'Bearer abc=.def'],
  ])('rejects %s as invalid_request', async (_, header) => {
    await expectInvalidRequest(fx.verifier().authenticate(request(header)))
  })

  it('rejects two Authorization lines (from rawHeaders) as invalid_request', async () => {
    const token = fx.issuer.mint()
    const req = request(`Bearer ${token}`, {
      rawHeaders: ['Authorization', `Bearer ${token}`, 'authorization', 'Bearer other'],
    })
    await expectInvalidRequest(fx.verifier().authenticate(req))
  })

  it('ignores an access_token query parameter by default', async () => {
    const req = request(undefined, { query: { access_token: fx.issuer.mint() } })
    await expectMissingToken(fx.verifier().authenticate(req))
  })

  it('accepts an access_token query parameter when allowQueryToken is set', async () => {
    const token = fx.issuer.mint()
    const req = request(undefined, { query: { access_token: token } })
    const auth = await fx.verifier({ allowQueryToken: true }).authenticate(req)
    expect(auth?.token).toBe(token)
  })

  it.each([false, true])(
    'rejects a header token plus a query token as invalid_request (allowQueryToken: %s)',
    async (allowQueryToken) => {
      const token = fx.issuer.mint()
      const req = request(`Bearer ${token}`, { query: { access_token: token } })
      await expectInvalidRequest(fx.verifier({ allowQueryToken }).authenticate(req))
    },
  )

  it('rejects a repeated query parameter as invalid_request when query tokens are allowed', async () => {
    const token = fx.issuer.mint()
    const req = request(undefined, { query: { access_token: [token, token] } })
    await expectInvalidRequest(fx.verifier({ allowQueryToken: true }).authenticate(req))
  })

  const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }

  it('accepts a form-body token on POST when allowBodyToken is set', async () => {
    const token = fx.issuer.mint()
    const req = { headers: form, method: 'POST', body: { access_token: token } }
    const auth = await fx.verifier({ allowBodyToken: true }).authenticate(req)
    expect(auth?.token).toBe(token)
  })

  it('ignores a form-body token by default', async () => {
    const req = { headers: form, method: 'POST', body: { access_token: fx.issuer.mint() } }
    await expectMissingToken(fx.verifier().authenticate(req))
  })

  it('ignores a body token on GET even when allowBodyToken is set', async () => {
    const req = { headers: form, method: 'GET', body: { access_token: fx.issuer.mint() } }
    await expectMissingToken(fx.verifier({ allowBodyToken: true }).authenticate(req))
  })

  it('ignores a JSON body token even when allowBodyToken is set', async () => {
    const headers = { 'content-type': 'application/json' }
    const req = { headers, method: 'POST', body: { access_token: fx.issuer.mint() } }
    await expectMissingToken(fx.verifier({ allowBodyToken: true }).authenticate(req))
  })

  it('rejects a header token plus a form-body token as invalid_request', async () => {
    const token = fx.issuer.mint()
    const req = {
      headers: { ...form, authorization: `Bearer ${token}` },
      method: 'POST',
      body: { access_token: token },
    }
    await expectInvalidRequest(fx.verifier().authenticate(req))
  })

  it('rejects a query token plus a form-body token as invalid_request', async () => {
    const token = fx.issuer.mint()
    const req = {
      headers: form,
      method: 'POST',
      query: { access_token: token },
      body: { access_token: token },
    }
    const verifier = fx.verifier({ allowQueryToken: true, allowBodyToken: true })
    await expectInvalidRequest(verifier.authenticate(req))
  })

  it('rejects a huge Authorization header as token_too_large before any fetch', async () => {
    const req = request(`Bearer ${'a'.repeat(100_000)}`)
    await expectInvalidToken(fx.verifier().authenticate(req), 'token_too_large')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it('resolves to undefined without a token when optional', async () => {
    await expect(fx.verifier().authenticate(request(), { optional: true })).resolves.toBeUndefined()
  })

  it('still rejects a bad token when optional', async () => {
    const token = fx.issuer.mint({ aud: 'https://other.test' })
    await expectInvalidToken(
      fx.verifier().authenticate(request(`Bearer ${token}`), { optional: true }),
      'invalid_audience',
    )
  })

  it('still rejects a malformed header when optional', async () => {
    await expectInvalidRequest(fx.verifier().authenticate(request('Bearer'), { optional: true }))
  })
})

describe('challenge parameters', () => {
  const realm = 'api'
  const resourceMetadataUrl = 'https://api.test/.well-known/oauth-protected-resource'
  const configured = { realm, resourceMetadata: resourceMetadataUrl }

  it('puts realm and resource_metadata in a missing_token challenge', async () => {
    const error = await rejectionOf(
      fx.verifier({ realm, resourceMetadataUrl }).authenticate(request()),
    )
    expect({ status: error.status, challenge: error.headers['WWW-Authenticate'] }).toEqual({
      status: 401,
      challenge: expectedChallenge('missing_token', configured),
    })
  })

  it('puts realm and resource_metadata in an invalid_request challenge', async () => {
    const error = await rejectionOf(
      fx.verifier({ realm, resourceMetadataUrl }).authenticate(request('Bearer')),
    )
    expect({ status: error.status, challenge: error.headers['WWW-Authenticate'] }).toEqual({
      status: 400,
      challenge: expectedChallenge('invalid_request', configured),
    })
  })

  it('puts realm and resource_metadata in an invalid_token challenge', async () => {
    const token = fx.issuer.mint({ exp: 1 })
    const error = await rejectionOf(fx.verifier({ realm, resourceMetadataUrl }).verify(token))
    expect({ status: error.status, challenge: error.headers['WWW-Authenticate'] }).toEqual({
      status: 401,
      challenge: expectedChallenge('token_expired', configured),
    })
  })

  it('puts realm, every required scope and resource_metadata in an insufficient_scope challenge', async () => {
    const auth = await fx.verifier({ realm, resourceMetadataUrl }).verify(fx.issuer.mint())
    const checks = [
      () => {
        requireScopes(auth, ['read:things', 'write:things'])
      },
      () => {
        requireAnyScope(auth, 'write:things admin')
      },
      () => {
        scopeCheck(['write:things', 'admin'], 'all')(auth)
      },
    ]
    const challenges = checks.map((check) => {
      try {
        check()
      } catch (error) {
        if (isKeywardError(error))
          return [error.code, error.status, error.headers['WWW-Authenticate']]
      }
      return 'no error'
    })
    const challenge = (scope: string) =>
      expectedChallenge('insufficient_scope', { ...configured, scope })
    expect(challenges).toEqual([
      ['insufficient_scope', 403, challenge('read:things write:things')],
      ['insufficient_scope', 403, challenge('write:things admin')],
      ['insufficient_scope', 403, challenge('write:things admin')],
    ])
  })

  it('exposes the challenge options on the verifier', () => {
    expect(fx.verifier({ realm, resourceMetadataUrl }).challenge).toEqual({
      realm,
      resourceMetadataUrl,
      scopes: undefined,
    })
  })

  describe('challengeScopes (RFC 6750 §3 scope on 401s, MCP scope selection)', () => {
    const challengeScopes = ['notes:read']
    const scoped = { ...configured, scope: 'notes:read' }

    it('names the verifier-wide scopes in a missing_token challenge', async () => {
      const error = await rejectionOf(
        fx.verifier({ realm, resourceMetadataUrl, challengeScopes }).authenticate(request()),
      )
      expect([error.status, error.headers['WWW-Authenticate']]).toEqual([
        401,
        expectedChallenge('missing_token', scoped),
      ])
    })

    it('names them in an invalid_token challenge too', async () => {
      const verifier = fx.verifier({ realm, resourceMetadataUrl, challengeScopes })
      const error = await rejectionOf(verifier.verify(fx.issuer.mint({ exp: 1 })))
      expect([error.status, error.headers['WWW-Authenticate']]).toEqual([
        401,
        expectedChallenge('token_expired', scoped),
      ])
    })

    it('leaves them out of a 400 invalid_request challenge', async () => {
      const error = await rejectionOf(
        fx
          .verifier({ realm, resourceMetadataUrl, challengeScopes })
          .authenticate(request('Bearer')),
      )
      expect([error.status, error.headers['WWW-Authenticate']]).toEqual([
        400,
        expectedChallenge('invalid_request', configured),
      ])
    })

    it("names a route's own challengeScopes instead, for a missing and for a rejected token", async () => {
      const verifier = fx.verifier({ realm, resourceMetadataUrl, challengeScopes })
      const route = { challengeScopes: ['notes:write'] }
      const missing = await rejectionOf(verifier.authenticate(request(), route))
      const expired = await rejectionOf(
        verifier.authenticate(request(`Bearer ${fx.issuer.mint({ exp: 1 })}`), route),
      )
      const own = { ...configured, scope: 'notes:write' }
      expect([missing.headers['WWW-Authenticate'], expired.headers['WWW-Authenticate']]).toEqual([
        expectedChallenge('missing_token', own),
        expectedChallenge('token_expired', own),
      ])
    })

    it('names no scope at all for a route whose challengeScopes are empty', async () => {
      const verifier = fx.verifier({ challengeScopes })
      const error = await rejectionOf(verifier.authenticate(request(), { challengeScopes: [] }))
      expect(error.headers['WWW-Authenticate']).toBe('Bearer')
    })
  })
})

describe('jwks_unavailable', () => {
  it('answers 503 with Retry-After, expose false and no WWW-Authenticate when no keys can be fetched', async () => {
    const server = await startJwksServer({ jwks: () => fx.issuer.jwks() })
    server.setFault({ kind: 'status', status: 500 })
    const verifier = createVerifier({
      issuer: fx.issuer.issuer,
      audience: fx.issuer.audience,
      jwksUri: server.url,
      realm: 'api',
      jwks: { retryInitialDelayMs: 4000, retryMaxDelayMs: 4000 },
      random: () => 0.5,
    })
    try {
      const error = await rejectionOf(verifier.verify(fx.issuer.mint()))
      const seconds = Number(error.headers['Retry-After'])
      expect({
        code: error.code,
        status: error.status,
        statusCode: error.statusCode,
        expose: error.expose,
        challenge: error.headers['WWW-Authenticate'],
        retryAfterIsPositive: Number.isInteger(seconds) && seconds >= 1,
        json: error.toJSON(),
      }).toEqual({
        code: 'jwks_unavailable',
        status: 503,
        statusCode: 503,
        expose: false,
        challenge: undefined,
        retryAfterIsPositive: true,
        json: { error: 'temporarily_unavailable' },
      })
    } finally {
      verifier.close()
      await server.close()
    }
  })
})

describe('events', () => {
  it('reports token_rejected with the code and never the token or its signature', async () => {
    const verifier = fx.verifier()
    const hidden = await fx.issuer.addKey({ publish: false })
    const tokens = [
      fx.issuer.mint({ exp: 1 }),
      fx.issuer.mint({ aud: 'https://other.test' }),
      fx.issuer.mint({}, { key: hidden }),
      fx.issuer.mint({}, { signature: 'zeros' }),
      fx.issuer.mint({}, { alg: 'none' }),
      `${fx.issuer.mint()}.extra`,
    ]
    for (const token of tokens) await rejectionOf(verifier.verify(token))
    await rejectionOf(
      verifier.authenticate(request(`Bearer ${tokens[0]!}`, { query: { access_token: 'q' } })),
    )
    const rejected = fx.events.filter((event) => event.type === 'token_rejected')
    expect(rejected.map((event) => event.code)).toEqual([
      'token_expired',
      'invalid_audience',
      'unknown_key',
      'invalid_signature',
      'algorithm_not_allowed',
      'malformed_token',
      'invalid_request',
    ])
    const log = serialise(fx.events)
    for (const token of tokens) {
      const [header, payload, signature] = segments(token)
      expect(log).not.toContain(token)
      expect(log).not.toContain(signature)
      expect(log).not.toContain(header)
      expect(log).not.toContain(payload)
    }
  })

  it('names the issuer, kid, jti and client id of a rejected token', async () => {
    const token = fx.issuer.mint({ jti: 'j-1', client_id: 'c-1', exp: 1 })
    await rejectionOf(fx.verifier().verify(token))
    expect(fx.events.filter((event) => event.type === 'token_rejected')).toEqual([
      {
        type: 'token_rejected',
        code: 'token_expired',
        issuer: fx.issuer.issuer,
        kid: fx.issuer.signingKey.kid,
        jti: 'j-1',
        clientId: 'c-1',
        durationMs: expect.any(Number),
      },
    ])
  })

  it('reports each accepted call once as token_verified, saying whether the cache answered', async () => {
    const verifier = fx.verifier()
    const token = fx.issuer.mint()
    // The cache admits a token on its second verification.
    await verifier.verify(token)
    await verifier.verify(token)
    await verifier.verify(token)
    await verifier.authenticate(request(`Bearer ${token}`))
    await verifier.authenticate(request(), { optional: true })
    const verified = fx.events.filter((event) => event.type === 'token_verified')
    const { issuer } = fx.issuer
    const kid = fx.issuer.signingKey.kid
    expect(verified).toEqual(
      [false, false, true, true].map((cached) => ({
        type: 'token_verified',
        issuer,
        kid,
        cached,
        durationMs: expect.any(Number),
      })),
    )
    for (const event of verified) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0)
    }
  })

  it('reports a token refused after its signature verified as rejected, not verified', async () => {
    const verifier = fx.verifier({ singleUseTokens: true })
    const token = fx.issuer.mint({ jti: 'once' })
    await verifier.verify(token)
    await expectInvalidToken(verifier.verify(token), 'token_replayed')
    expect(
      fx.events
        .filter((event) => event.type === 'token_verified' || event.type === 'token_rejected')
        .map((event) => (event.type === 'token_rejected' ? event.code : event.type)),
    ).toEqual(['token_verified', 'token_replayed'])
  })

  it('keeps the outcome when the onEvent listener throws', async () => {
    const verifier = fx.verifier({
      onEvent: () => {
        throw new Error('listener failure')
      },
    })
    await expectInvalidToken(verifier.verify(fx.issuer.mint({ exp: 1 })), 'token_expired')
    await expect(verifier.verify(fx.issuer.mint())).resolves.toBeDefined()
  })
})

describe('health and warmup', () => {
  it('is not ready before warmup and ready after it', async () => {
    const verifier = fx.verifier()
    expect(verifier.health().ready).toBe(false)
    await verifier.warmup()
    expect(verifier.health().ready).toBe(true)
    expect(fx.server.jwksRequests).toBe(1)
  })
})

describe('resolveVerifier', () => {
  it('passes a verifier through and creates one from options', () => {
    const shared = fx.verifier()
    expect(resolveVerifier(shared)).toBe(shared)
    const created = resolveVerifier({
      issuer: fx.issuer.issuer,
      audience: fx.issuer.audience,
      jwksUri: fx.server.url,
    })
    created.close()
    expect(created).not.toBe(shared)
    expect(typeof created.authenticate).toBe('function')
  })

  it('throws a TypeError for options that are not options', () => {
    expect(() => resolveVerifier(undefined as never)).toThrow(TypeError)
    expect(() => resolveVerifier({ authenticate: true } as never)).toThrow(TypeError)
  })
})
