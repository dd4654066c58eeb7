import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  httpGet,
  startJwksServer,
  TestIssuer,
  type HttpReply,
  type JwksServer,
  type TestKey,
} from '@keyward/test-utils'

/** What every example app is configured with: the test issuer's values. */
export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

/** An RS256 test issuer (the algorithm of the peers' READMEs) and its loopback JWKS server. */
export interface Issuer {
  readonly issuer: TestIssuer
  readonly server: JwksServer
  readonly settings: AuthSettings
  /** A valid token for `sub`, with extra claims. */
  token(claims?: Record<string, unknown>): string
  /** A token that expired ten minutes ago (beyond every library's clock tolerance). */
  expired(): string
  /** A token minted for another API. */
  wrongAudience(): string
}

let rsa: Promise<TestKey> | undefined

/** One RS256 key per test file: RSA key generation is what a busy machine is slowest at. */
function rsaKey(): Promise<TestKey> {
  rsa ??= TestIssuer.create({ alg: 'RS256' }).then((issuer) => issuer.signingKey)
  return rsa
}

/**
 * Starts the issuer. Its `iss` is the JWKS server's origin with a trailing slash (as Auth0's
 * are), and the server answers OIDC discovery there, for libraries configured with the issuer
 * alone. `jwksDown` makes the server answer 503 to everything from the start.
 */
export async function startIssuer({ jwksDown = false } = {}): Promise<Issuer> {
  // eslint-disable-next-line prefer-const -- assigned once the server's origin is known
  let created: TestIssuer | undefined
  const server = await startJwksServer({
    jwks: () => created?.jwks(),
    discoveryDocument: () => ({ issuer: created?.issuer, jwks_uri: server.url }),
  })
  // An outage before the first fetch: the case where no library has a key to fall back on.
  if (jwksDown) server.setFault({ kind: 'status', status: 503 })
  const issuer = await TestIssuer.create({ alg: 'ES256', issuer: `${server.origin}/` })
  const key = await rsaKey()
  issuer.unpublish(issuer.signingKey)
  issuer.publish(key)
  issuer.useForSigning(key)
  created = issuer
  const settings = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: server.url }
  return {
    issuer,
    server,
    settings,
    token: (claims = {}) => issuer.mint({ sub: 'user-1', ...claims }),
    expired: () => {
      const now = Math.floor(Date.now() / 1000)
      return issuer.mint({ sub: 'user-1', iat: now - 3600, exp: now - 600 })
    },
    wrongAudience: () => issuer.mint({ sub: 'user-1', aud: 'https://another-api.test' }),
  }
}

/** A running app: its base URL and a way to stop it. */
export interface Running {
  readonly url: string
  get(path: string, token?: string, headers?: Record<string, string>): Promise<HttpReply>
  close(): Promise<void>
}

/** Serves a request listener (an Express app, a Koa callback) on `127.0.0.1:0`. */
export async function serve(listener: RequestListener): Promise<Running> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return running(`http://127.0.0.1:${port}`, () => {
    server.closeAllConnections()
    return new Promise((resolve) => {
      server.close(() => {
        resolve()
      })
    })
  })
}

export function running(url: string, close: () => Promise<void>): Running {
  return {
    url,
    get: (path, token, headers = {}) =>
      httpGet(url + path, {
        ...headers,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      }),
    close,
  }
}

/** The body as JSON, or the text when it is not JSON. */
export function bodyOf(reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.body)
  } catch {
    return reply.body
  }
}

/**
 * Loads an app of `before/` by name. The path is not a literal, so the type checker does not pull
 * `before/` into this program (it has its own: see before/tsconfig.json); `T` is what the test
 * uses of it.
 */
export async function loadBefore<T>(peer: string): Promise<T> {
  const url = new URL(`../before/${peer}.ts`, import.meta.url).href
  return (await import(/* @vite-ignore */ url)) as T
}

/** What the example apps consult for revoked `jti`s. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

/** A denylist of `jti`s like a Redis set, which can be made to fail like a Redis outage. */
export interface TestDenylist extends Denylist {
  readonly revoked: Set<string>
  /** While true, `has` rejects. */
  down: boolean
}

export function testDenylist(): TestDenylist {
  const list: TestDenylist = {
    revoked: new Set(),
    down: false,
    has: (jti) =>
      list.down
        ? Promise.reject(new Error('denylist unreachable'))
        : Promise.resolve(list.revoked.has(jti)),
  }
  return list
}
