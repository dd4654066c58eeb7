import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { startJwksServer, type JwksServer } from './jwks-server.js'
import { mintToken } from './mint-token.js'
import { createTestCa } from './test-ca.js'
import { TestIssuer } from './test-issuer.js'
import type { TestKey } from './test-key.js'

/** Who a minted service-account token names, and for whom. */
export interface ServiceAccountTokenOptions {
  /** @defaultValue `'default'` */
  namespace?: string
  /** @defaultValue `'default'` */
  serviceAccount?: string
  /** The pod the token is bound to; `null` for a token bound to no pod. @defaultValue `'workload-0'` */
  pod?: string | null
  /** `aud`. @defaultValue the server's `audience` */
  audience?: string | readonly string[]
  /** Claims added or replaced; `undefined` deletes one. */
  claims?: Record<string, unknown>
}

/**
 * A running fake of the Kubernetes API server's service-account issuer discovery (KEP-1393):
 * see {@link startKubernetesApiServer}.
 */
export interface KubernetesApiServer {
  /** `https://127.0.0.1:PORT`: the issuer, `iss` of every minted token. */
  readonly issuer: string
  /** `issuer` + `/openid/v1/jwks`, as the API server names it. */
  readonly jwksUri: string
  /** The cluster CA certificate (PEM) that issued the server's certificate. */
  readonly ca: string
  /** `aud` of tokens minted without one: what the API under test expects. */
  readonly audience: string
  /** The signing keys, for rotation: `server.signer.rotate({ retireOld: true })`. */
  readonly signer: TestIssuer
  /** The HTTP server: requests, faults, counters. */
  readonly http: JwksServer
  /** A service-account token as the TokenRequest API writes it. */
  mint(options?: ServiceAccountTokenOptions): string
  /**
   * A token the server accepts as a bearer credential on discovery and JWKS requests, as the
   * API server accepts a pod's own token (for its audience, `https://kubernetes.default.svc`).
   */
  readerToken(options?: ServiceAccountTokenOptions): string
  /** Stops accepting a reader token, as the API server does once it expired or its pod is gone. */
  revoke(token: string): void
  /** Publishes a new signing key; `retireOld` unpublishes the previous one. */
  rotate(options?: { retireOld?: boolean }): Promise<TestKey>
  close(): Promise<void>
}

/** The API server's own audience (its `--api-audiences` default is the issuer). */
const API_AUDIENCE = 'https://kubernetes.default.svc'

// The API server's answer to a request it cannot authenticate (a metav1.Status).
const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
}

/**
 * Starts a loopback stand-in for a Kubernetes API server as a service-account token issuer:
 * `https:` with a certificate from a CA of its own, `/.well-known/openid-configuration` and
 * `/openid/v1/jwks` answered only to a bearer token it accepts (anything else is 401, as the
 * default RBAC grants discovery to service accounts, not to anonymous callers), RS256 keys that
 * rotate, and tokens with the `kubernetes.io` claims of projected service-account tokens.
 *
 * @example
 * ```ts
 * const cluster = await startKubernetesApiServer({ audience: 'payments' })
 * writeFileSync(tokenFile, cluster.readerToken())
 * createVerifier({ kubernetes: { issuer: cluster.issuer, audience: 'payments', ca: cluster.ca, tokenFile } })
 * const token = cluster.mint({ namespace: 'billing', serviceAccount: 'invoicer' })
 * ```
 */
export async function startKubernetesApiServer(
  options: { audience?: string } = {},
): Promise<KubernetesApiServer> {
  const ca = createTestCa('kubernetes test cluster CA')
  const accepted = new Set<string>()
  // The keys need the issuer, which is the server's origin: known once it listens.
  const signing: { keys?: TestIssuer } = {}
  const authorize = (req: IncomingMessage) => {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
    return match?.[1] !== undefined && accepted.has(match[1])
      ? undefined
      : { status: 401, body: UNAUTHORIZED }
  }
  const http = await startJwksServer({
    jwks: () => signing.keys?.jwks(),
    jwksPath: '/openid/v1/jwks',
    discoveryPaths: ['/.well-known/openid-configuration'],
    discoveryDocument: () => ({
      issuer: http.origin,
      jwks_uri: `${http.origin}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    }),
    tls: ca.issue({ ip: '127.0.0.1' }),
    authorize,
  })
  const issuer = http.origin
  const audience = options.audience ?? 'https://api.test'
  const keys = await TestIssuer.create({ issuer, audience, alg: 'RS256' })
  signing.keys = keys

  const mint = (token: ServiceAccountTokenOptions = {}): string => {
    const namespace = token.namespace ?? 'default'
    const name = token.serviceAccount ?? 'default'
    const pod = token.pod === undefined ? 'workload-0' : token.pod
    const claims = keys.claims({
      aud: token.audience ?? audience,
      sub: `system:serviceaccount:${namespace}:${name}`,
      nbf: Math.floor(Date.now() / 1000),
      client_id: undefined,
      scope: undefined,
      'kubernetes.io': {
        namespace,
        serviceaccount: { name, uid: randomUUID() },
        ...(pod === null ? {} : { pod: { name: pod, uid: randomUUID() } }),
        node: { name: 'node-1', uid: randomUUID() },
      },
      ...token.claims,
    })
    // The API server writes no `typ` header.
    return mintToken(claims, keys.signingKey, { typ: null })
  }

  return {
    issuer,
    jwksUri: `${issuer}/openid/v1/jwks`,
    ca: ca.cert,
    audience,
    signer: keys,
    http,
    mint,
    readerToken(token = {}) {
      const minted = mint({ audience: API_AUDIENCE, ...token })
      accepted.add(minted)
      return minted
    },
    revoke(token) {
      accepted.delete(token)
    },
    rotate(rotation = {}) {
      return keys.rotate(rotation)
    },
    close: () => http.close(),
  }
}
