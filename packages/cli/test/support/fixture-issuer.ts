import { startJwksServer, TestIssuer, type JwksFault, type JwksServer } from '@keyward/test-utils'

/** A public JWK as published. */
export type Jwk = Record<string, unknown>

/** How a fixture departs from the well-configured baseline issuer. */
export interface FixtureOptions {
  /** Rewrites the baseline keys (an RS256 and an ES256 key, each with kid, alg and use). */
  readonly keys?: (baseline: Jwk[]) => unknown[]
  /** Serves this whole document as the JWK Set instead. */
  readonly jwks?: unknown
  /** Rewrites the baseline metadata document `{ issuer, jwks_uri }`. */
  readonly metadata?: (baseline: Jwk, server: JwksServer) => Jwk
  /**
   * Headers of the JWK Set answer.
   * @defaultValue `{ 'cache-control': 'public, max-age=900' }`
   */
  readonly headers?: Record<string, string>
  /** @defaultValue ETag on */
  readonly etag?: boolean
  readonly fault?: JwksFault
  readonly discoveryPaths?: readonly string[]
}

/** A running fixture issuer: its URL is the server's origin. */
export interface FixtureIssuer {
  readonly url: string
  readonly server: JwksServer
  close(): Promise<void>
}

/**
 * The keys every fixture starts from: an RS256 and an ES256 key of one {@link TestIssuer}.
 *
 * @example
 * ```ts
 * const base = await baselineIssuer()
 * base.signingKey.privateKey // signs test certificates and tokens
 * ```
 */
export async function baselineIssuer(): Promise<TestIssuer> {
  const issuer = await TestIssuer.create({ alg: 'RS256' })
  await issuer.addKey({ alg: 'ES256', kid: 'ec-1' })
  return issuer
}

/**
 * Serves an issuer on test-utils' JWKS server: metadata at both well-known paths and a JWK Set
 * that is, unless `options` say otherwise, one the audit has nothing to say about (beyond plain
 * http on loopback and the metadata's missing cache headers).
 *
 * @example
 * ```ts
 * const fixture = await startFixtureIssuer(base, { headers: {} }) // no Cache-Control
 * ```
 */
export async function startFixtureIssuer(
  base: TestIssuer,
  options: FixtureOptions = {},
): Promise<FixtureIssuer> {
  const keys = options.keys ?? ((baseline: Jwk[]) => baseline)
  const ref: { server?: JwksServer } = {}
  const server = await startJwksServer({
    jwks: () => options.jwks ?? { keys: keys(base.jwks().keys) },
    discovery: true,
    ...(options.discoveryPaths === undefined ? {} : { discoveryPaths: options.discoveryPaths }),
    discoveryDocument: () => {
      const current = ref.server
      if (current === undefined) return {}
      const baseline = { issuer: current.origin, jwks_uri: current.url }
      return options.metadata?.(baseline, current) ?? baseline
    },
  })
  ref.server = server
  server.setHeaders(options.headers ?? { 'cache-control': 'public, max-age=900' })
  server.setValidators({ etag: options.etag ?? true })
  if (options.fault !== undefined) server.setFault(options.fault)
  return { url: server.origin, server, close: () => server.close() }
}
