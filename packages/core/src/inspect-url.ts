import { DEFAULTS } from './defaults.js'
import { metadataUrls } from './discovery.js'
import { FetchFailure, fetchJson, type FetchFunction } from './fetch-json.js'
import { freshnessFromHeaders } from './http-caching.js'
import {
  outboundFetch,
  readExtraCaCerts,
  readProxy,
  type JwksProxy,
  type OutboundFetch,
} from './outbound-network.js'
import { isSafeDiscoveredUrl, isSafeFetchUrl } from './safe-fetch-url.js'

/**
 * Why keyward would not use the answer of an inspected URL: `unsafe_url` (a URL keyward does not
 * fetch from, see {@link InspectUrlOptions.discoveredFrom}; nothing was fetched), or the reason a
 * key fetch would fail with.
 */
export type InspectionFailure =
  'unsafe_url' | 'network' | 'timeout' | 'http_status' | 'redirect' | 'too_large' | 'invalid_json'

/** Options of {@link inspectUrl}; the defaults are the verifier's (`DEFAULTS.jwks`). */
export interface InspectUrlOptions {
  /**
   * Deadline for the whole exchange, connection, headers and body.
   * @defaultValue 5000
   */
  readonly timeoutMs?: number
  /**
   * Largest body read, counted after decompression.
   * @defaultValue 524288 (512 KiB)
   */
  readonly maxBytes?: number
  /**
   * Extra request headers.
   * @defaultValue `{}`
   */
  readonly headers?: Readonly<Record<string, string>>
  /**
   * The issuer whose metadata named `url` (a discovered `jwks_uri`): the URL is then judged as
   * discovery judges it (`https:`; `http:` on loopback only for an `http:` loopback issuer; no
   * internal address or `localhost` name for a public issuer). Without it, as a configured URL:
   * `https:`, or `http:` on a loopback host. Either way, no credentials in the URL.
   * @defaultValue `undefined` (a configured URL)
   */
  readonly discoveredFrom?: string
  /**
   * A `fetch`-compatible function, for proxies, custom CAs, tests and special runtimes.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: FetchFunction
  /**
   * Fetch through this proxy, as the verifier's `jwks.proxy` does: `'env'` (`HTTPS_PROXY`,
   * `HTTP_PROXY`, `NO_PROXY`) or `{ url, noProxy? }`. Not with `fetch`.
   */
  readonly proxy?: JwksProxy
  /**
   * PEM certificates trusted besides Node's roots, as the verifier's `jwks.extraCaCerts`. Not
   * with `fetch`.
   */
  readonly extraCaCerts?: string | Buffer | readonly (string | Buffer)[]
}

/**
 * The fetch an inspection uses: `fetch`, or one through `proxy` / `extraCaCerts` (validated
 * here: a `TypeError` naming the option), which the caller closes.
 */
function inspectionFetch(options: InspectUrlOptions): OutboundFetch | undefined {
  const proxy = options.proxy === undefined ? undefined : readProxy(options.proxy, 'proxy')
  const extraCaCerts =
    options.extraCaCerts === undefined
      ? undefined
      : readExtraCaCerts(options.extraCaCerts, 'extraCaCerts')
  if (proxy === undefined && extraCaCerts === undefined) return undefined
  if (options.fetch !== undefined) {
    throw new TypeError('pass either "fetch" or "proxy" / "extraCaCerts", not both')
  }
  return outboundFetch({ proxy, extraCaCerts })
}

/** What one GET of a metadata or JWKS URL showed, under the rules a verifier fetches by. */
export interface UrlInspection {
  readonly url: string
  /** `undefined` when nothing usable arrived; otherwise the reason keyward would refuse it. */
  readonly failure: InspectionFailure | undefined
  /** The HTTP status, when an answer arrived (even one refused later, say for its size). */
  readonly status: number | undefined
  /** Response headers, lower-case names; empty when no answer arrived. */
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string | undefined
  readonly contentEncoding: string | undefined
  /** `Content-Length` as sent (for a compressed answer, the compressed size). */
  readonly declaredBytes: number | undefined
  /**
   * Body bytes read after decompression. When `failure` is `too_large`, reading stopped past
   * `maxBytes`, so this is only a lower bound.
   */
  readonly bodyBytes: number | undefined
  /** From the start of the request to the end of the body (or the failure). */
  readonly durationMs: number
  /** `Location` of a redirect, which is reported and never followed. */
  readonly location: string | undefined
  /** Freshness keyward reads from `Cache-Control` and `Age`, before its own bounds. */
  readonly freshnessMs: number | undefined
  /** The parsed JSON body of a 200 answer. */
  readonly body: unknown
  /**
   * For `network` failures: the system or TLS error code, when there is one
   * (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`...).
   */
  readonly errorCode: string | undefined
}

/**
 * GETs a URL exactly as a verifier fetches keys and metadata (`https:` only except on loopback,
 * no redirects followed, 200 only, a deadline over the whole exchange, a byte cap after
 * decompression, JSON) and reports what it saw instead of throwing: status, headers, sizes,
 * timing, a redirect's target, and why keyward would refuse the answer. For audits and
 * diagnostics (`keyward audit`); it adds no network behaviour of its own.
 *
 * @example
 * ```ts
 * const seen = await inspectUrl('https://auth.example.com/.well-known/jwks.json')
 * if (seen.failure === 'redirect') console.log('redirects to', seen.location)
 * console.log(seen.status, seen.headers['cache-control'], seen.bodyBytes)
 * ```
 */
export async function inspectUrl(
  url: string,
  options: InspectUrlOptions = {},
): Promise<UrlInspection> {
  const outbound = inspectionFetch(options)
  try {
    return await inspect(url, options, outbound?.fetch ?? options.fetch ?? DEFAULTS.jwks.fetch)
  } finally {
    outbound?.close()
  }
}

async function inspect(
  url: string,
  options: InspectUrlOptions,
  fetch: FetchFunction,
): Promise<UrlInspection> {
  const started = performance.now()
  let response: Response | undefined
  let bodyBytes: number | undefined
  // Watches the exchange that fetchJson runs, so the rules stay the ones a verifier applies.
  const watched: FetchFunction = async (target, init) => {
    const answer = await fetch(target, init)
    response = answer
    if (answer.status !== 200 || answer.body === null) return answer
    bodyBytes = 0
    const counted = (answer.body as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bodyBytes = (bodyBytes ?? 0) + chunk.byteLength
          controller.enqueue(chunk)
        },
      }),
    )
    return new Response(counted, { status: 200, headers: answer.headers })
  }
  let failure: InspectionFailure | undefined
  let body: unknown
  let errorCode: string | undefined
  const safe =
    options.discoveredFrom === undefined
      ? isSafeFetchUrl(url)
      : isSafeDiscoveredUrl(url, options.discoveredFrom)
  if (!safe) {
    failure = 'unsafe_url'
  } else {
    try {
      const result = await fetchJson(url, {
        fetch: watched,
        timeoutMs: options.timeoutMs ?? DEFAULTS.jwks.timeoutMs,
        maxBytes: options.maxBytes ?? DEFAULTS.jwks.maxBytes,
        headers: options.headers ?? {},
        signal: new AbortController().signal,
        now: Date.now,
      })
      // Without validators sent, fetchJson only answers with a document.
      if (result.kind === 'document') body = result.body
    } catch (error) {
      const reason = error instanceof FetchFailure ? error.reason : 'network'
      failure = isInspectionFailure(reason) ? reason : 'network'
      if (failure === 'network') errorCode = systemErrorCode(error)
    }
  }
  const headers: Record<string, string> = {}
  response?.headers.forEach((value, name) => {
    headers[name] = value
  })
  const declared = response?.headers.get('content-length')
  return {
    url,
    failure,
    status: response?.status,
    headers,
    contentType: response?.headers.get('content-type') ?? undefined,
    contentEncoding: response?.headers.get('content-encoding') ?? undefined,
    declaredBytes:
      declared === null || declared === undefined || !/^\d+$/.test(declared)
        ? undefined
        : Number(declared),
    bodyBytes,
    durationMs: Math.round(performance.now() - started),
    location: response?.headers.get('location') ?? undefined,
    freshnessMs: response === undefined ? undefined : freshnessFromHeaders(response.headers),
    body,
    errorCode,
  }
}

/** What {@link inspectIssuerMetadata} found. */
export interface IssuerMetadataInspection {
  /** Every metadata URL tried, in order: OpenID Connect Discovery first, then RFC 8414. */
  readonly attempts: readonly UrlInspection[]
  /** The attempt that returned a JSON document, which discovery would then validate. */
  readonly found: UrlInspection | undefined
}

/**
 * Fetches an issuer's metadata the way discovery does: the OpenID Connect Discovery 1.0 §4 URL,
 * then, only when that answers with an HTTP error status, the RFC 8414 §3.1 URL, each with
 * {@link inspectUrl}. It does not judge the document (issuer, `jwks_uri`); the caller does.
 * Throws a `TypeError` when `issuer` is not an absolute URL.
 *
 * @example
 * ```ts
 * const { found, attempts } = await inspectIssuerMetadata('https://auth.example.com/')
 * const jwksUri = (found?.body as { jwks_uri?: string } | undefined)?.jwks_uri
 * ```
 */
export async function inspectIssuerMetadata(
  issuer: string,
  options: InspectUrlOptions = {},
): Promise<IssuerMetadataInspection> {
  const attempts: UrlInspection[] = []
  for (const url of metadataUrls(issuer)) {
    const seen = await inspectUrl(url, options)
    attempts.push(seen)
    // As in discovery: an answer that is there but wrong is a verdict, not a reason to go on.
    if (seen.failure !== 'http_status') {
      return { attempts, found: seen.failure === undefined ? seen : undefined }
    }
  }
  return { attempts, found: undefined }
}

const INSPECTION_FAILURES: ReadonlySet<string> = new Set<InspectionFailure>([
  'unsafe_url',
  'network',
  'timeout',
  'http_status',
  'redirect',
  'too_large',
  'invalid_json',
])

function isInspectionFailure(reason: string): reason is InspectionFailure {
  return INSPECTION_FAILURES.has(reason)
}

/** The `code` of the first error in a cause chain that has one (undici nests them). */
function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown }
    if (typeof code === 'string') return code
    current = cause
  }
  return undefined
}
