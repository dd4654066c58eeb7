import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// Type only, and by path: core devDepends on test-utils, so a package dependency back on core
// would be a workspace cycle. The import is erased; adapters pass core's own `VerifierOptions`.
import type { ProtectedResourceMetadataOptions, VerifierOptions } from '../../core/src/index.js'
import { startJwksServer, type JwksServer } from './jwks-server.js'
import {
  httpGet as get,
  nodeHttpRequest,
  rawHttpGet as getRaw,
  type HttpReply as Reply,
} from './http-client.js'
import { TestIssuer } from './test-issuer.js'

/**
 * A running app under contract test.
 *
 * @example
 * ```ts
 * const app: ContractApp = { url: `http://127.0.0.1:${port}`, close: () => stop() }
 * ```
 */
export interface ContractApp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  /** Stops the server (idle keep-alive sockets included) and closes the verifier. */
  close(): Promise<void>
}

/**
 * Starts one framework's app for {@link runAdapterContract}.
 *
 * @example
 * ```ts
 * const factory: ContractAppFactory = {
 *   name: 'express@5',
 *   async start(options) {
 *     const verifier = createVerifier(options)
 *     const app = express()
 *     app.get('/protected', bearerAuth(verifier), (req, res) => res.json({ sub: req.auth?.subject }))
 *     return listen(app, verifier)
 *   },
 * }
 * ```
 */
export interface ContractAppFactory {
  /** Framework and major, e.g. `'express@5'`. */
  readonly name: string
  /**
   * Start a real app on 127.0.0.1:0 with these routes:
   * - `GET /public`: no auth → 200 `{"ok":true}`
   * - `GET /protected`: bearer auth → 200 `{"sub", "clientId", "scopes"}`
   * - `GET /write`: bearer auth + all of scopes `['write:things']` → 200
   * - `GET /any`: bearer auth + any of `['admin', 'write:things']` → 200
   * - `GET /optional`: optional bearer auth → 200 `{"authenticated": boolean, "sub"?}`
   * - `GET /optional-write`: optional bearer auth + all of `['write:things']` → 200 `{"ok":true}`
   *
   * Every route uses ONE verifier built from `verifierOptions` (or the same options).
   */
  start(verifierOptions: VerifierOptions): Promise<ContractApp>
  /**
   * Optional: start the same routes as {@link start}, their verifier built from
   * `{ ...verifierOptions, resourceMetadata: protectedResourceMetadata(metadata) }`, plus:
   * - RFC 9728 metadata served the adapter's way (middleware before the routes, controller),
   *   `GET`/`HEAD` on each of its paths, publicly;
   * - `POST /.well-known/oauth-protected-resource/mcp`: no auth → 405 `{"next":true}`, reached
   *   only when the metadata handler leaves other methods to the app's other routes.
   *
   * Where the framework can, trust `X-Forwarded-*` (Express `trust proxy`, Koa `proxy`), so a
   * document built from the request would show it. When present, {@link runAdapterContract}
   * also checks the protected-resource contract.
   */
  startWithResourceMetadata?(
    verifierOptions: VerifierOptions,
    metadata: ProtectedResourceMetadataOptions,
  ): Promise<ContractApp>
  /**
   * Optional: start an app with only `GET /protected` (as in {@link start}) behind auth that
   * builds its own verifier from `verifierOptions` (e.g. `bearerAuth(options)`). Invalid options
   * must make it throw or reject, before any request. When present, {@link runAdapterContract}
   * checks that the verifier is built once and reused.
   */
  startFromOptions?(verifierOptions: VerifierOptions): Promise<ContractApp>
}

const REALM = 'keyward-contract'
const METADATA_URL = 'https://api.test/.well-known/oauth-protected-resource'
const CONFIGURED = `realm="${REALM}", resource_metadata="${METADATA_URL}"`

type OAuthError = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

interface Expected {
  readonly status: number
  /** The RFC 6750 `error`; `null` for a bare challenge (no credentials). */
  readonly error: OAuthError | null
  /** `scope` of an `insufficient_scope` challenge. */
  readonly scope?: string
  /** Whether the app was started with `realm` and `resourceMetadataUrl`. */
  readonly configured?: boolean
}

function line(text: string): Buffer {
  return Buffer.from(text, 'latin1')
}

/** `realm="x", error="y"` → `{ realm: 'x', error: 'y' }`; the scheme under `''`. */
function parseChallenge(value: string): Record<string, string> {
  const scheme = /^(\S+)/.exec(value)?.[1] ?? ''
  const params: Record<string, string> = { '': scheme }
  for (const match of value.matchAll(/([A-Za-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, '$1')
  }
  return params
}

/** Success bodies of the contract routes; none may appear in a rejection. */
const HANDLER_MARKERS = ['"clientId"', '"authenticated"', '"ok"']

function expectRejected(reply: Reply, expected: Expected): void {
  expect(reply.status).toBe(expected.status)
  // The protected handler did not run: its body never reaches the client.
  for (const marker of HANDLER_MARKERS) expect(reply.body).not.toContain(marker)
  const challenge = reply.headers['www-authenticate']
  expect(challenge).toBeDefined()
  const params = parseChallenge(challenge ?? '')
  expect(params['']).toBe('Bearer')
  if (expected.error === null) {
    // RFC 6750 §3.1: a request without credentials gets no error code.
    expect(challenge).toBe(expected.configured === true ? `Bearer ${CONFIGURED}` : 'Bearer')
  } else {
    expect(params.error).toBe(expected.error)
  }
  expect(params.scope).toBe(expected.scope)
  expect(params.realm).toBe(expected.configured === true ? REALM : undefined)
  expect(params.resource_metadata).toBe(expected.configured === true ? METADATA_URL : undefined)
  // Adapters that render a JSON body must render the RFC 6750 §3 one.
  if (reply.headers['content-type']?.includes('application/json') === true) {
    const body = JSON.parse(reply.body) as { error?: unknown }
    expect(body.error).toBe(expected.error ?? undefined)
  }
}

function expectUnavailable(reply: Reply): void {
  expect(reply.status).toBe(503)
  for (const marker of HANDLER_MARKERS) expect(reply.body).not.toContain(marker)
  expect(reply.headers['retry-after']).toMatch(/^[1-9]\d*$/)
  expect(reply.headers['www-authenticate']).toBeUndefined()
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** One issuer, its JWKS server and an app verifying its tokens. */
interface Fixture {
  readonly issuer: TestIssuer
  readonly server: JwksServer
  readonly app: ContractApp
  readonly url: (path: string) => string
  readonly bearer: (claims?: Record<string, unknown>) => Record<string, string>
}

function fixture(
  start: (options: VerifierOptions) => Promise<ContractApp>,
  settings: { readonly configured?: boolean; readonly jwksDown?: boolean } = {},
): () => Fixture {
  let current: Fixture | undefined
  beforeAll(async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const server = await startJwksServer({ issuer })
    if (settings.jwksDown === true) server.setFault({ kind: 'status', status: 503 })
    try {
      const app = await start({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        ...(settings.configured === true
          ? { realm: REALM, resourceMetadataUrl: METADATA_URL }
          : {}),
      })
      current = {
        issuer,
        server,
        app,
        url: (path) => app.url + path,
        bearer: (claims) => ({ authorization: `Bearer ${issuer.mint(claims)}` }),
      }
    } catch (error) {
      await server.close()
      throw error
    }
  })
  afterAll(async () => {
    await current?.app.close()
    await current?.server.close()
  })
  return () => {
    if (current === undefined) throw new Error('contract fixture is not started')
    return current
  }
}

/**
 * Defines a vitest `describe` block that holds an adapter to keyward's HTTP contract, over real
 * requests: status, `WWW-Authenticate`, `Retry-After`, and that rejected requests never reach the
 * handler. A JSON error body is optional; when an adapter renders one, its `error` must be the
 * RFC 6750 code (`KeywardError.toJSON()`), and absent for a request without credentials. Each
 * `describe` starts its own app(s) on its own issuer and JWKS server. Call it once per framework
 * major.
 *
 * @example
 * ```ts
 * runAdapterContract({ name: 'koa@3', start: (options) => startKoaApp(Koa, options) })
 * ```
 */
export function runAdapterContract(factory: ContractAppFactory): void {
  describe(`adapter contract: ${factory.name}`, () => {
    describe('with realm and resource metadata configured', () => {
      const f = fixture((options) => factory.start(options), { configured: true })
      const configured = true

      it('answers a request without credentials with 401 and a challenge without error', async () => {
        const { url } = f()
        expectRejected(await get(url('/protected')), { status: 401, error: null, configured })
        // Another scheme is no bearer credential either (RFC 6750 §3.1).
        const basic = await get(url('/protected'), { authorization: 'Basic dXNlcjpwYXNz' })
        expectRejected(basic, { status: 401, error: null, configured })
      })

      it.each([
        ['a Bearer scheme without a token', 'Bearer'],
        ['two credentials in one header', 'Bearer abc def'],
        ['two comma-separated credentials', 'Bearer abc, Bearer def'],
        ['a value that is not token68', 'Bearer a=b.c'],
      ])('answers %s with 400 invalid_request', async (_name, authorization) => {
        const reply = await get(f().url('/protected'), { authorization })
        expectRejected(reply, { status: 400, error: 'invalid_request', configured })
      })

      it('answers two Authorization lines with 400 invalid_request', async () => {
        const { url, issuer } = f()
        const token = issuer.mint()
        const reply = await getRaw(url('/protected'), [
          line(`Authorization: Bearer ${token}`),
          line(`Authorization: Bearer ${token}`),
        ])
        expectRejected(reply, { status: 400, error: 'invalid_request', configured })
      })

      it('answers a token in both the header and the query with 400 invalid_request', async () => {
        const { url, issuer, bearer } = f()
        const reply = await get(url(`/protected?access_token=${issuer.mint()}`), bearer())
        expectRejected(reply, { status: 400, error: 'invalid_request', configured })
      })

      it.each<[string, (issuer: TestIssuer) => string]>([
        [
          'an expired token',
          (issuer) => issuer.mint({ iat: nowSeconds() - 3600, exp: nowSeconds() - 600 }),
        ],
        ['a bad signature', (issuer) => issuer.mint({}, { signature: 'zeros' })],
        ['a wrong issuer', (issuer) => issuer.mint({ iss: 'https://evil.test/' })],
        ['a wrong audience', (issuer) => issuer.mint({ aud: 'https://other.test' })],
        ['a malformed token', () => 'abc.def.ghi'],
        [
          'alg none',
          (issuer) => issuer.mint({}, { alg: 'none', kid: null, signature: 'none-empty' }),
        ],
      ])('answers %s with 401 invalid_token', async (_name, mint) => {
        const { url, issuer } = f()
        const reply = await get(url('/protected'), { authorization: `Bearer ${mint(issuer)}` })
        expectRejected(reply, { status: 401, error: 'invalid_token', configured })
      })

      it('attaches the verified token and runs the handler', async () => {
        const { url, bearer } = f()
        const headers = bearer({
          sub: 'user-42',
          client_id: 'client-7',
          scope: 'read:things write:things',
        })
        const reply = await get(url('/protected'), headers)
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({
          sub: 'user-42',
          clientId: 'client-7',
          scopes: ['read:things', 'write:things'],
        })
      })

      it('accepts the Bearer scheme in any case (RFC 9110 §11.1)', async () => {
        const { url, issuer } = f()
        const reply = await get(url('/protected'), { authorization: `bEaReR ${issuer.mint()}` })
        expect(reply.status).toBe(200)
      })

      it('answers a missing required scope with 403 insufficient_scope naming it', async () => {
        const { url, bearer } = f()
        const reply = await get(url('/write'), bearer({ scope: 'read:things' }))
        expectRejected(reply, {
          status: 403,
          error: 'insufficient_scope',
          scope: 'write:things',
          configured,
        })
        expect((await get(url('/write'), bearer({ scope: 'write:things' }))).status).toBe(200)
      })

      it('requires one of the any-of scopes and names all of them when none is granted', async () => {
        const { url, bearer } = f()
        const reply = await get(url('/any'), bearer({ scope: 'read:things' }))
        expectRejected(reply, {
          status: 403,
          error: 'insufficient_scope',
          scope: 'admin write:things',
          configured,
        })
        expect((await get(url('/any'), bearer({ scope: 'admin' }))).status).toBe(200)
        expect((await get(url('/any'), bearer({ scope: 'write:things' }))).status).toBe(200)
      })

      it('checks scopes only after authentication: no token on a scoped route is 401', async () => {
        const reply = await get(f().url('/write'))
        expectRejected(reply, { status: 401, error: null, configured })
      })

      it('treats a required scope after optional auth as requiring a token: none is 401', async () => {
        const { url, bearer } = f()
        expectRejected(await get(url('/optional-write')), { status: 401, error: null, configured })
        const reply = await get(url('/optional-write'), bearer({ scope: 'write:things' }))
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ ok: true })
      })

      it('lets optional routes through without a token, unauthenticated', async () => {
        const reply = await get(f().url('/optional'))
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ authenticated: false })
      })

      it('authenticates optional routes when a valid token is sent', async () => {
        const { url, bearer } = f()
        const reply = await get(url('/optional'), bearer({ sub: 'user-9' }))
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ authenticated: true, sub: 'user-9' })
      })

      it('still rejects a bad token or a malformed header on optional routes', async () => {
        const { url, issuer } = f()
        const bad = await get(url('/optional'), {
          authorization: `Bearer ${issuer.mint({}, { signature: 'zeros' })}`,
        })
        expectRejected(bad, { status: 401, error: 'invalid_token', configured })
        const malformed = await get(url('/optional'), { authorization: 'Bearer a b' })
        expectRejected(malformed, { status: 400, error: 'invalid_request', configured })
      })

      it('never authenticates public routes, even with a garbage header', async () => {
        const { url } = f()
        for (const authorization of [undefined, 'Bearer', 'Bearer a b', 'Bearer x.y.z']) {
          const reply = await get(
            url('/public'),
            authorization === undefined ? {} : { authorization },
          )
          expect(reply.status).toBe(200)
          expect(JSON.parse(reply.body)).toEqual({ ok: true })
        }
      })

      it('ignores scopes smuggled in a __proto__ member of the payload', async () => {
        const { url, issuer } = f()
        const claims = issuer.claims({ scope: 'read:things' })
        const rawPayload = JSON.stringify(claims).replace(
          /}$/,
          ',"__proto__":{"scope":"write:things","scopes":["write:things"]}}',
        )
        const token = issuer.mint({}, { rawPayload })
        const reply = await get(url('/write'), { authorization: `Bearer ${token}` })
        expectRejected(reply, {
          status: 403,
          error: 'insufficient_scope',
          scope: 'write:things',
          configured,
        })
      })

      it('answers a 10 KB bearer token with 401 invalid_token', async () => {
        const authorization = `Bearer ${'a'.repeat(10 * 1024)}`
        const reply = await get(f().url('/protected'), { authorization })
        expectRejected(reply, { status: 401, error: 'invalid_token', configured })
      })

      it('answers a 15 KB header of another scheme with a bare 401', async () => {
        const authorization = `Basic ${'a'.repeat(15 * 1024)}`
        const reply = await get(f().url('/protected'), { authorization })
        expectRejected(reply, { status: 401, error: null, configured })
      })

      it.each([
        ['a tab inside the token', 'Authorization: Bearer abc\tdef'],
        ['a tab after the scheme', 'Authorization: Bearer\tabc'],
        ['obs-text bytes in the token', 'Authorization: Bearer abc\x80\xff'],
        ['obs-text bytes only', 'Authorization: Bearer \xe9\xe9\xe9'],
        ['a raw UTF-8 token', 'Authorization: Bearer \xc3\xa9t\xc3\xa9'],
      ])('answers %s with 400 invalid_request', async (_name, header) => {
        const reply = await getRaw(f().url('/protected'), [line(header)])
        expectRejected(reply, { status: 400, error: 'invalid_request', configured })
      })

      it.each([
        ['a NUL byte', 'Authorization: Bearer abc\x00def'],
        ['a bare CR', 'Authorization: Bearer abc\rdef'],
        ['a header past the server limit', `X-Filler: ${'a'.repeat(64 * 1024)}`],
      ])('never answers %s with 2xx or 5xx', async (_name, header) => {
        const reply = await getRaw(f().url('/protected'), [line(header)])
        expect(reply.status).toBeGreaterThanOrEqual(400)
        expect(reply.status).toBeLessThan(500)
        for (const marker of HANDLER_MARKERS) expect(reply.body).not.toContain(marker)
      })
    })

    describe('without realm or resource metadata', () => {
      const f = fixture((options) => factory.start(options))

      it('challenges a request without credentials with exactly "Bearer"', async () => {
        expectRejected(await get(f().url('/protected')), { status: 401, error: null })
      })

      it('puts neither realm nor resource_metadata in error challenges', async () => {
        const { url, bearer } = f()
        const reply = await get(url('/write'), bearer({ scope: 'read:things' }))
        expectRejected(reply, { status: 403, error: 'insufficient_scope', scope: 'write:things' })
      })

      it('shares one verifier across routes: one key fetch serves them all', async () => {
        const { url, bearer, server } = f()
        const headers = bearer({ scope: 'admin write:things' })
        for (const path of ['/protected', '/write', '/any', '/optional']) {
          expect((await get(url(path), headers)).status).toBe(200)
          expect((await get(url(path), bearer({ scope: 'admin write:things' }))).status).toBe(200)
        }
        expect(server.jwksRequests).toBe(1)
      })
    })

    describe('when the JWKS is down and no keys were ever fetched', () => {
      const f = fixture((options) => factory.start(options), { jwksDown: true })

      it('answers 503 with Retry-After and no challenge', async () => {
        const { url, bearer } = f()
        expectUnavailable(await get(url('/protected'), bearer()))
        expectUnavailable(await get(url('/optional'), bearer()))
      })

      it('does not fetch again for every request during the outage', async () => {
        const { url, bearer, server } = f()
        const before = server.jwksRequests
        expect(before).toBeGreaterThanOrEqual(1)
        for (let i = 0; i < 5; i++) expectUnavailable(await get(url('/protected'), bearer()))
        // Negative caching answers these without I/O; at most one scheduled background retry
        // may land in between, never one fetch per request.
        expect(server.jwksRequests).toBeLessThanOrEqual(before + 1)
      })

      it('still answers requests without credentials and public routes without keys', async () => {
        const { url } = f()
        expectRejected(await get(url('/protected')), { status: 401, error: null })
        expect((await get(url('/public'))).status).toBe(200)
      })
    })

    describe('when the issuer rotates its signing key', () => {
      const f = fixture((options) => factory.start(options))

      it('accepts the new key after exactly one refetch', async () => {
        const { url, bearer, issuer, server } = f()
        expect((await get(url('/protected'), bearer())).status).toBe(200)
        expect(server.jwksRequests).toBe(1)
        await issuer.rotate()
        expect((await get(url('/protected'), bearer())).status).toBe(200)
        expect(server.jwksRequests).toBe(2)
        expect((await get(url('/protected'), bearer())).status).toBe(200)
        expect(server.jwksRequests).toBe(2)
      })

      it('rejects another unknown key inside the cooldown without fetching', async () => {
        const { url, issuer, server } = f()
        const before = server.jwksRequests
        const hidden = await issuer.addKey({ publish: false })
        const token = issuer.mint({}, { key: hidden })
        const reply = await get(url('/protected'), { authorization: `Bearer ${token}` })
        expectRejected(reply, { status: 401, error: 'invalid_token' })
        expect(server.jwksRequests).toBe(before)
      })
    })

    // Optional capabilities: adapters that have them are held to these parts too.
    const withMetadata = factory.startWithResourceMetadata?.bind(factory)
    if (withMetadata) describeResourceMetadata((options) => withMetadata(options, RESOURCE))
    const fromOptions = factory.startFromOptions?.bind(factory)
    if (fromOptions) describeVerifierFromOptions(fromOptions)
  })
}

/** The protected resource of {@link ContractAppFactory.startWithResourceMetadata}. */
const RESOURCE: ProtectedResourceMetadataOptions = {
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com/'],
  scopesSupported: ['read:things', 'write:things'],
}
const RESOURCE_METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
/** The RFC 9728 document for {@link RESOURCE}, byte for byte. */
const RESOURCE_DOCUMENT =
  '{"resource":"https://mcp.example.com/mcp",' +
  '"authorization_servers":["https://auth.example.com/"],' +
  '"scopes_supported":["read:things","write:things"],' +
  '"bearer_methods_supported":["header"]}'
const RESOURCE_PATHS = [
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource',
] as const

/** The document's headers; frameworks may add a charset to the content type. */
function expectDocumentHeaders(reply: Reply): void {
  expect(reply.status).toBe(200)
  expect(reply.headers['content-type']).toMatch(/^application\/json(; ?charset=utf-8)?$/i)
  expect(reply.headers['cache-control']).toBe('public, max-age=3600')
  expect(reply.headers['access-control-allow-origin']).toBe('*')
  expect(reply.headers['www-authenticate']).toBeUndefined()
}

function describeResourceMetadata(start: (options: VerifierOptions) => Promise<ContractApp>): void {
  describe('serving RFC 9728 protected resource metadata', () => {
    const f = fixture(start)
    const resourceMetadata = `resource_metadata="${RESOURCE_METADATA_URL}"`

    it.each(RESOURCE_PATHS)(
      'serves the document at %s without a token, as JSON, cacheable for an hour, with CORS',
      async (path) => {
        const reply = await get(f().url(path))
        expectDocumentHeaders(reply)
        expect(reply.body).toBe(RESOURCE_DOCUMENT)
      },
    )

    it('answers HEAD on the metadata path with the same headers and no body', async () => {
      const reply = await nodeHttpRequest(f().url(RESOURCE_PATHS[0]), { method: 'HEAD' })
      expectDocumentHeaders(reply)
      expect(reply.body).toBe('')
    })

    it('serves the configured resource whatever Host and X-Forwarded-* say', async () => {
      const reply = await nodeHttpRequest(f().url(RESOURCE_PATHS[0]), {
        headers: {
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'http',
        },
      })
      expectDocumentHeaders(reply)
      expect(reply.body).toBe(RESOURCE_DOCUMENT)
    })

    it('leaves other methods on its path to the app and serves no other well-known path', async () => {
      const { url } = f()
      const post = await nodeHttpRequest(url(RESOURCE_PATHS[0]), { method: 'POST' })
      expect(post.status).toBe(405)
      expect(JSON.parse(post.body)).toEqual({ next: true })
      const other = await get(url('/.well-known/oauth-protected-resource/other'))
      expect(other.status).toBe(404)
      expect(other.body).not.toContain('"resource"')
    })

    it('points a challenge without a token at the metadata with resource_metadata', async () => {
      const reply = await get(f().url('/protected'))
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(`Bearer ${resourceMetadata}`)
    })

    it('points the challenge for an expired token at the metadata', async () => {
      const { url, bearer } = f()
      const reply = await get(
        url('/protected'),
        bearer({ iat: nowSeconds() - 3600, exp: nowSeconds() - 600 }),
      )
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(
        `Bearer error="invalid_token", error_description="access token expired", ${resourceMetadata}`,
      )
    })

    it('points the challenge for a missing scope at the metadata', async () => {
      const { url, bearer } = f()
      const reply = await get(url('/write'), bearer({ scope: 'read:things' }))
      expect(reply.status).toBe(403)
      expect(reply.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_scope", error_description="insufficient scope", scope="write:things", ${resourceMetadata}`,
      )
    })

    it('challenges a scope check after optional auth without a token like the verifier', async () => {
      const reply = await get(f().url('/optional-write'))
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(`Bearer ${resourceMetadata}`)
    })
  })
}

function describeVerifierFromOptions(
  start: (options: VerifierOptions) => Promise<ContractApp>,
): void {
  describe('when the adapter builds its own verifier from options', () => {
    const f = fixture(start)

    it('rejects invalid verifier options when the app is built, not per request', async () => {
      const { issuer } = f()
      // Plain http off loopback.
      const jwksUri = 'http://example.com/jwks.json'
      await expect(
        start({ issuer: issuer.issuer, audience: issuer.audience, jwksUri }),
      ).rejects.toThrow(TypeError)
    })

    it('builds one verifier and reuses it for every request: one key fetch', async () => {
      const { url, bearer, server } = f()
      for (const sub of ['a', 'b', 'c']) {
        const reply = await get(url('/protected'), bearer({ sub, client_id: 'c', scope: 'x' }))
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ sub, clientId: 'c', scopes: ['x'] })
      }
      expect(server.jwksRequests).toBe(1)
    })
  })
}
