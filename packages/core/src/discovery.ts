import { clipUrl, type EventSink } from './events.js'
import { originOf } from './fetch-headers.js'
import { FetchFailure, fetchJson, type FetchFunction } from './fetch-json.js'
import { clampFreshness } from './freshness-window.js'
import { JwksUriPin, type RefusedJwksUri } from './jwks-uri-pin.js'
import { isSafeDiscoveredUrl, isSafeFetchUrl } from './safe-fetch-url.js'

export interface DiscoverySettings {
  readonly issuer: string
  /** `jwksOrigins`: origins besides the issuer's own trusted with its keys. */
  readonly jwksOrigins: ReadonlySet<string>
  readonly fetch: FetchFunction
  /** The configured request headers that may go to a URL (see `scopedFetchHeaders`). */
  readonly headers: (url: string) => Readonly<Record<string, string>>
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly cacheMaxAgeMs: number
  readonly cacheFloorMs: number
  readonly cacheCeilingMs: number
  readonly maxStaleMs: number
  readonly events: EventSink
  readonly now: () => number
  /** `dangerouslyAllowInsecureHttp`: an `http:` issuer may name an `http:` jwks_uri. */
  readonly allowHttp: boolean
}

/**
 * The metadata URLs to try for an issuer, in order: OpenID Connect Discovery 1.0 §4 (the
 * well-known suffix appended to the issuer) and RFC 8414 §3.1 (inserted between host and path).
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer)
  const path = url.pathname.replace(/\/$/, '')
  const oidc = `${url.origin}${path}/.well-known/openid-configuration`
  const oauth = `${url.origin}/.well-known/oauth-authorization-server${path}`
  return oidc === oauth ? [oidc] : [oidc, oauth]
}

/** What discovery adds to an issuer's `health()`. */
export interface DiscoveryHealth {
  /**
   * A `jwks_uri` the metadata names but keyward refused (a move to an origin not in
   * `jwksOrigins`), and since when; the previous URI keeps serving meanwhile.
   */
  readonly refusedJwksUri: RefusedJwksUri | undefined
}

/**
 * Finds an issuer's `jwks_uri` from its metadata. Called by the key source inside its own
 * single-flight fetch, so discovery shares its coalescing and backoff; the result is cached with
 * the same freshness rules and kept as last-known-good for `maxStaleMs` when a refresh fails.
 */
export class JwksUriDiscovery {
  readonly #settings: DiscoverySettings
  readonly #pin: JwksUriPin
  #jwksUri: string | undefined
  #freshUntil = 0
  #usableUntil = 0

  constructor(settings: DiscoverySettings) {
    this.#settings = settings
    this.#pin = new JwksUriPin({
      issuer: settings.issuer,
      allowedOrigins: settings.jwksOrigins,
      now: settings.now,
    })
  }

  health(): DiscoveryHealth {
    const refused = this.#pin.refused
    return {
      refusedJwksUri:
        refused === undefined ? undefined : { uri: clipUrl(refused.uri), since: refused.since },
    }
  }

  /**
   * The `jwks_uri` to fetch: the cached one while its metadata is fresh, unless `reread` (an
   * operator's `refresh()`, which may follow a `jwks_uri` the issuer just moved).
   */
  readonly resolve = async (signal: AbortSignal, reread = false): Promise<string> => {
    const now = this.#settings.now()
    if (!reread && this.#jwksUri !== undefined && now < this.#freshUntil) return this.#jwksUri
    try {
      return await this.#discover(signal)
    } catch (error) {
      // Last-known-good: a metadata outage must not take the keys down with it.
      if (this.#jwksUri !== undefined && this.#settings.now() < this.#usableUntil)
        return this.#jwksUri
      throw error
    }
  }

  async #discover(signal: AbortSignal): Promise<string> {
    let lastFailure: unknown
    for (const url of metadataUrls(this.#settings.issuer)) {
      try {
        const result = await fetchJson(url, {
          fetch: this.#settings.fetch,
          timeoutMs: this.#settings.timeoutMs,
          maxBytes: this.#settings.maxBytes,
          headers: this.#settings.headers(url),
          signal,
          now: this.#settings.now,
        })
        if (result.kind !== 'document') throw new FetchFailure('invalid_shape', { url })
        const jwksUri = this.#pinned(this.#validate(result.body, url), url)
        const now = this.#settings.now()
        const freshFor = clampFreshness(this.#settings, result.freshnessMs)
        this.#jwksUri = jwksUri
        this.#freshUntil = now + freshFor
        this.#usableUntil = this.#freshUntil + this.#settings.maxStaleMs
        return jwksUri
      } catch (error) {
        lastFailure = error
        // A document that answered but is wrong is a verdict, not a reason to try elsewhere.
        if (error instanceof FetchFailure && error.reason !== 'http_status') throw error
      }
    }
    throw lastFailure
  }

  /**
   * Applies the pin: a refused move throws, so `resolve` keeps the last-known-good URI for as
   * long as a metadata outage would, and the keys it serves stay last-known-good after that.
   */
  #pinned(jwksUri: string, url: string): string {
    const verdict = this.#pin.judge(jwksUri)
    if (verdict.kind === 'followed' || (verdict.kind === 'refused' && verdict.firstSeen)) {
      if (verdict.previous !== undefined) {
        this.#settings.events.emit({
          type: 'issuer_metadata_changed',
          issuer: this.#settings.issuer,
          previousJwksUri: clipUrl(verdict.previous),
          jwksUri: clipUrl(jwksUri),
          outcome: verdict.kind,
        })
      }
    }
    if (verdict.kind === 'refused') throw new FetchFailure('jwks_origin_not_allowed', { url })
    return jwksUri
  }

  #validate(document: unknown, url: string): string {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new FetchFailure('invalid_shape', { url })
    }
    const { issuer, jwks_uri: jwksUri } = document as { issuer?: unknown; jwks_uri?: unknown }
    // RFC 8414 §3.3 and OIDC Discovery §4.3: the document's issuer must be identical to the
    // configured one, or an attacker-controlled document could name its own keys.
    // Both values go to the operator (error cause, event, log): a trailing slash is the usual
    // difference, and invisible without them.
    if (issuer !== this.#settings.issuer) {
      throw new FetchFailure('issuer_mismatch', {
        url,
        compared: {
          expected: this.#settings.issuer,
          received: typeof issuer === 'string' ? clipUrl(issuer) : typeof issuer,
        },
      })
    }
    // Refused before any request to it: a URL from a remote document must not make this
    // server a client of its own network (a port-scan oracle through health() and events).
    if (typeof jwksUri !== 'string' || !this.#isSafe(jwksUri)) {
      throw new FetchFailure('unsafe_jwks_uri', { url })
    }
    return jwksUri
  }

  /** An origin listed in `jwksOrigins` is configuration: trusted like an explicit `jwksUri`. */
  #isSafe(jwksUri: string): boolean {
    const { issuer, allowHttp } = this.#settings
    if (isSafeDiscoveredUrl(jwksUri, issuer, allowHttp)) return true
    const origin = originOf(jwksUri)
    return (
      origin !== undefined &&
      this.#settings.jwksOrigins.has(origin) &&
      isSafeFetchUrl(jwksUri, allowHttp)
    )
  }
}
