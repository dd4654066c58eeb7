/** Where one issuer's configured request headers may go. */
export interface FetchHeaderScope {
  /** The issuer: its origin serves the metadata and, usually, the JWKS. */
  readonly issuer: string
  /** The explicitly configured JWKS URL, if any: configuration, so trusted on any origin. */
  readonly jwksUri: string | undefined
  /** Other origins explicitly trusted with this issuer's keys (`jwksOrigins`). */
  readonly jwksOrigins: ReadonlySet<string>
  readonly headers: Readonly<Record<string, string>>
}

const NONE: Readonly<Record<string, string>> = Object.freeze({})

/**
 * The extra headers of one issuer's fetches (an API key for a gateway, say) are configuration
 * of that issuer's endpoints, not of every URL a metadata document names. They go to the
 * issuer's own origin (its metadata and a JWKS beside it), to an explicitly configured
 * `jwksUri` and to origins listed in `jwksOrigins`; a discovered `jwks_uri` on any other origin
 * is fetched without them, so a credential never reaches a host nobody configured.
 *
 * @example
 * ```ts
 * const headersFor = scopedFetchHeaders({ issuer, jwksUri: undefined, jwksOrigins, headers })
 * await fetch(url, { headers: headersFor(url) })
 * ```
 */
export function scopedFetchHeaders(
  scope: FetchHeaderScope,
): (url: string) => Readonly<Record<string, string>> {
  const { headers, jwksUri, jwksOrigins } = scope
  if (Object.keys(headers).length === 0) return () => NONE
  const issuerOrigin = originOf(scope.issuer)
  return (url) => {
    if (url === jwksUri) return headers
    const origin = originOf(url)
    return origin !== undefined && (origin === issuerOrigin || jwksOrigins.has(origin))
      ? headers
      : NONE
  }
}

/** The origin of `url` (scheme, host and port, RFC 6454), or `undefined` if it is not a URL. */
export function originOf(url: string): string | undefined {
  let origin: string
  try {
    origin = new URL(url).origin
  } catch {
    return undefined
  }
  // Non-special schemes (`urn:`) have an opaque origin, serialised "null": it equals nothing.
  return origin === 'null' ? undefined : origin
}
