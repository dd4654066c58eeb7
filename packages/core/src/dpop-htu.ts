/**
 * The `htu` comparison of RFC 9449 §4.3 (check 9): the proof's `htu` and the request's URI,
 * each without query and fragment, after RFC 3986 §6.2.2 syntax-based and §6.2.3 scheme-based
 * normalisation (case of scheme and host, default port, percent-encoding case, unreserved
 * characters decoded).
 *
 * The request's URI is built from configuration, the resource's public base URL, plus the path
 * the server received; never from `Host` or `X-Forwarded-*`, which the client writes, unless the
 * operator says a proxy in front sets them. Dot segments are resolved in `htu` (the client's
 * URL parser does the same) but refuse the request's path: a path that a framework routes as
 * `/a/../b` must not borrow a proof made for `/b`.
 */

/** How the request's URI is found. */
export interface RequestUriPolicy {
  /** `origin + path prefix` of the public base URL, normalised, no trailing slash. */
  readonly base: string | undefined
  /** Build the origin from `X-Forwarded-Proto` / `X-Forwarded-Host` (else `Host`). */
  readonly trustProxy: boolean
}

/** The parts of a request the URI is built from. */
export interface UriRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** Express's and Koa's path before mounting; preferred over `url`. */
  readonly originalUrl?: string | undefined
  /** The request-target as received (origin-form: path and query). */
  readonly url?: string | undefined
}

// Longer than any real URL a proof names; bounds the parsing work.
const MAX_URI_LENGTH = 4096
const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * Normalises a public base URL once, at construction: `undefined` when it is not an absolute
 * `http(s):` URL without credentials, query or fragment.
 */
export function normaliseBaseUrl(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return undefined
  }
  if (value.includes('?') || value.includes('#')) return undefined
  return url.origin + normalisePercent(url.pathname).replace(/\/+$/, '')
}

/** The proof's `htu`, normalised without query and fragment; `undefined` when not a URL. */
export function normaliseHtu(htu: string): string | undefined {
  if (htu.length > MAX_URI_LENGTH) return undefined
  let url: URL
  try {
    url = new URL(htu)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username !== '' || url.password !== '') return undefined
  return url.origin + normalisePercent(url.pathname)
}

/** The request's URI, normalised without query; `undefined` when it cannot be built. */
export function requestUri(policy: RequestUriPolicy, request: UriRequest): string | undefined {
  const target = request.originalUrl ?? request.url
  if (typeof target !== 'string' || target.length > MAX_URI_LENGTH || !target.startsWith('/')) {
    return undefined
  }
  const query = target.indexOf('?')
  const path = query === -1 ? target : target.slice(0, query)
  // `//host/x` would parse as a network path; `\\` is a slash to WHATWG URL.
  if (path.startsWith('//') || path.includes('\\') || hasDotSegment(path)) return undefined
  const base = policy.base ?? (policy.trustProxy ? forwardedOrigin(request) : undefined)
  if (base === undefined) return undefined
  let url: URL
  try {
    url = new URL(base + path)
  } catch {
    return undefined
  }
  return url.origin + normalisePercent(url.pathname)
}

/** RFC 3986 §3.3 dot segments, also percent-encoded (`%2e`), which URL parsers resolve. */
function hasDotSegment(path: string): boolean {
  for (const segment of path.split('/')) {
    const plain = segment.replace(/%2e/gi, '.')
    if (plain === '.' || plain === '..') return true
  }
  return false
}

/** The origin a trusted proxy reports; `undefined` when the headers do not make one. */
function forwardedOrigin(request: UriRequest): string | undefined {
  const proto = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase() ?? 'http'
  const host = firstValue(request.headers['x-forwarded-host']) ?? firstValue(request.headers.host)
  if ((proto !== 'https' && proto !== 'http') || host === undefined) return undefined
  // A host, optionally with a port: nothing a URL parser would read as a path or credentials.
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) return undefined
  try {
    return new URL(`${proto}://${host}`).origin
  } catch {
    return undefined
  }
}

/** The first of a comma-separated list, trimmed; proxies append, so the first is the client's. */
function firstValue(value: string | readonly string[] | undefined): string | undefined {
  const text = typeof value === 'string' ? value : value?.[0]
  const first = text?.split(',')[0]?.trim()
  return first === undefined || first === '' ? undefined : first
}

/** RFC 3986 §6.2.2.1 / §6.2.2.2: upper-case hex, unreserved characters decoded. */
function normalisePercent(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16))
    return UNRESERVED.test(char) ? char : escape.toUpperCase()
  })
}
