import { DEFAULTS } from './defaults.js'
import { KeywardError } from './errors.js'
import { sourceToken, type CookieSource, type GetToken } from './token-sources.js'

/**
 * The parts of an HTTP request token extraction reads. Node's `IncomingMessage`, Express's and
 * Koa's requests and Fastify's raw request all fit.
 */
export interface BearerRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** Node's raw header list: the only place a second `Authorization` line is visible. */
  readonly rawHeaders?: readonly string[] | undefined
  readonly method?: string | undefined
  /** Parsed query string (`req.query`, `ctx.query`). */
  readonly query?: unknown
  /** Parsed body (`req.body`, `ctx.request.body`). */
  readonly body?: unknown
  /**
   * The request-target as received, path and query (Node's `req.url`). DPoP's `htu` check
   * (RFC 9449 §4.3) compares it, behind the configured public base URL.
   */
  readonly url?: string | undefined
  /** Express's and Koa's path before routers stripped their mount point; preferred over `url`. */
  readonly originalUrl?: string | undefined
  /**
   * The framework's own request object, handed to the `getToken` option (Koa: `ctx`; Fastify:
   * `request`). Without it, `getToken` receives this object itself, as Express's `req` is.
   */
  readonly nativeRequest?: unknown
}

/** The credentials of a request: the token and the auth-scheme it came with. */
export interface Credentials {
  readonly scheme: 'Bearer' | 'DPoP'
  readonly token: string
}

export interface ExtractOptions {
  /**
   * Accept `?access_token=` (RFC 6750 §2.3). Off: OAuth 2.1 and MCP forbid it, because URLs leak
   * into logs and `Referer` headers.
   * @defaultValue false
   */
  readonly allowQueryToken?: boolean | undefined
  /**
   * Accept an `access_token` form field in a non-GET `application/x-www-form-urlencoded` body
   * (RFC 6750 §2.2).
   * @defaultValue false
   */
  readonly allowBodyToken?: boolean | undefined
  /** @defaultValue 8192 */
  readonly maxTokenBytes?: number | undefined
  /** Read the token from this cookie too (token-sources.ts). */
  readonly cookie?: CookieSource | undefined
  /** A token source of the application's own (token-sources.ts). */
  readonly getToken?: GetToken | undefined
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, b64token = 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=". The scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i
const BEARER_SCHEME = /^bearer(?:\s|$)/i
// RFC 9449 §7.1: `DPoP` 1*SP token68, the same syntax.
const BEARER_OR_DPOP = /^(bearer|dpop) +([A-Za-z0-9\-._~+/]+=*)$/i
const BEARER_OR_DPOP_SCHEME = /^(?:bearer|dpop)(?:\s|$)/i

/**
 * Finds the bearer token of a request, or `undefined` when it carries none (a missing header or
 * another scheme such as `Basic`). Throws `invalid_request` for a malformed `Bearer` header, two
 * `Authorization` headers, two credentials, or a token sent by more than one method (RFC 6750
 * §2: clients must not), and `token_too_large` before looking at an oversized value.
 *
 * @example
 * ```ts
 * const token = extractBearerToken(req) // 'eyJ…' | undefined
 * ```
 */
export function extractBearerToken(
  request: BearerRequest,
  options: ExtractOptions = {},
): string | undefined {
  return extractCredentials(request, options, false)?.token
}

/**
 * {@link extractBearerToken}, also reading the `DPoP` scheme (RFC 9449 §7.1) when `dpop`; the
 * query and body carry bearer tokens only.
 */
export function extractCredentials(
  request: BearerRequest,
  options: ExtractOptions,
  dpop: boolean,
  verifiedBefore?: (token: string) => boolean,
): Credentials | undefined {
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULTS.maxTokenBytes
  const fromHeader = headerToken(request, maxTokenBytes, dpop, verifiedBefore)
  const fromQuery = hasQueryString(request) ? fieldToken(request.query) : undefined
  const fromBody = isFormPost(request) ? fieldToken(request.body) : undefined
  // A second method counts even when it is disabled: the client is confused or probing.
  const methods =
    Number(fromHeader !== undefined) +
    Number(fromQuery !== undefined) +
    Number(fromBody !== undefined)
  if (methods > 1) throw new KeywardError('invalid_request')
  const primary = rfc6750Token(fromHeader, fromQuery, fromBody, options, maxTokenBytes)
  if (options.cookie === undefined && options.getToken === undefined) return primary
  // The cookie and `getToken` are read on every request, header or not: the header wins, and a
  // different token elsewhere means a confused client or a planted cookie (RFC 6265 §8.6).
  const other = sourceToken(
    request.headers,
    request.nativeRequest ?? request,
    options,
    maxTokenBytes,
  )
  if (primary === undefined)
    return other === undefined ? undefined : { scheme: 'Bearer', token: other }
  if (other !== undefined && other !== primary.token) throw new KeywardError('invalid_request')
  return primary
}

/** The header's credentials, else an enabled query or body token (RFC 6750 §2). */
function rfc6750Token(
  fromHeader: Credentials | undefined,
  fromQuery: unknown,
  fromBody: unknown,
  options: ExtractOptions,
  maxTokenBytes: number,
): Credentials | undefined {
  if (fromHeader !== undefined) return fromHeader
  if (fromQuery !== undefined && options.allowQueryToken === true) {
    return { scheme: 'Bearer', token: checkedToken(fromQuery, maxTokenBytes) }
  }
  if (fromBody !== undefined && options.allowBodyToken === true) {
    return { scheme: 'Bearer', token: checkedToken(fromBody, maxTokenBytes) }
  }
  return undefined
}

/**
 * Whether an `Authorization` value names a scheme keyward authenticates (`Bearer` or `DPoP`,
 * case-insensitive, around optional whitespace), well-formed or not: such a header is keyward's
 * to accept or refuse; another scheme (`Basic`) carries no token for it.
 */
export function namesKeywardScheme(value: string): boolean {
  return BEARER_OR_DPOP_SCHEME.test(trimOws(value))
}

/**
 * `verifiedBefore`: whether a token is one the verifier holds verified. Such a token is a
 * compact JWS within the size cap, which the `Bearer` syntax accepts, so its header is not run
 * through the syntax regex again: on a ~700-character token that regex was the largest part of
 * authenticating a repeated token (~8.6k instructions per request under callgrind).
 */
function headerToken(
  request: BearerRequest,
  maxTokenBytes: number,
  dpop: boolean,
  verifiedBefore: ((token: string) => boolean) | undefined,
): Credentials | undefined {
  const raw = request.rawHeaders
  if (raw !== undefined) {
    // Node keeps only the first of duplicated `Authorization` headers in `headers`.
    let count = 0
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]
      if (name?.length === 13 && name.toLowerCase() === 'authorization') count++
    }
    if (count > 1) throw new KeywardError('invalid_request')
  }
  const header = request.headers.authorization
  if (header === undefined) return undefined
  if (typeof header !== 'string') throw new KeywardError('invalid_request')
  const value = trimOws(header)
  if (!(dpop ? BEARER_OR_DPOP_SCHEME : BEARER_SCHEME).test(value)) return undefined
  // The size cap comes before the syntax check, so an oversized value costs nothing.
  if (value.length > maxTokenBytes + 64) throw new KeywardError('token_too_large')
  if (verifiedBefore !== undefined && isBearerScheme(value)) {
    const token = value.slice(firstAfterSpaces(value, BEARER_SCHEME_LENGTH))
    if (verifiedBefore(token)) return { scheme: 'Bearer', token }
  }
  if (!dpop) {
    const match = BEARER.exec(value)
    if (match === null) throw new KeywardError('invalid_request')
    return { scheme: 'Bearer', token: checkedToken(match[1] ?? '', maxTokenBytes) }
  }
  const match = BEARER_OR_DPOP.exec(value)
  if (match === null) throw new KeywardError('invalid_request')
  const scheme = match[1]?.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer'
  return { scheme, token: checkedToken(match[2] ?? '', maxTokenBytes) }
}

const BEARER_SCHEME_LENGTH = 'bearer'.length

/** `Bearer` then a space, in any case. */
function isBearerScheme(value: string): boolean {
  return (
    value.charCodeAt(BEARER_SCHEME_LENGTH) === 0x20 &&
    value.slice(0, BEARER_SCHEME_LENGTH).toLowerCase() === 'bearer'
  )
}

function firstAfterSpaces(value: string, from: number): number {
  let index = from
  while (value.charCodeAt(index) === 0x20) index++
  return index
}

/**
 * RFC 9110 §5.5: the whitespace around a field value is SP and HTAB only. `String#trim` would
 * also strip NBSP (a Latin-1 byte Node passes through) and Unicode spaces, accepting a header no
 * other HTTP component reads as this token. A loop, not a regex: `[ \t]+$` backtracks
 * quadratically on a long run of spaces.
 */
function trimOws(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && isOws(value.charCodeAt(start))) start++
  while (end > start && isOws(value.charCodeAt(end - 1))) end--
  return value.slice(start, end)
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09
}

/**
 * Whether the request-target may carry a query (RFC 3986 §3.4: it follows the first `?`). A
 * URL without `?` has no query parameters (RFC 6750 §2.3), so the parsed query is not read: on
 * Express 5 `req.query` is a getter that re-parses the URL on every read. A request naming no
 * URL has its query read as given.
 */
function hasQueryString(request: BearerRequest): boolean {
  const { url, originalUrl } = request
  if (url === undefined && originalUrl === undefined) return true
  return url?.includes('?') === true || originalUrl?.includes('?') === true
}

function fieldToken(container: unknown): unknown {
  if (typeof container !== 'object' || container === null) return undefined
  return Object.hasOwn(container, 'access_token')
    ? (container as { access_token: unknown }).access_token
    : undefined
}

function checkedToken(value: unknown, maxTokenBytes: number): string {
  if (typeof value !== 'string' || value === '') throw new KeywardError('invalid_request')
  if (value.length > maxTokenBytes) throw new KeywardError('token_too_large')
  return value
}

function isFormPost(request: BearerRequest): boolean {
  const type = request.headers['content-type']
  return (
    request.method !== undefined &&
    request.method !== 'GET' &&
    typeof type === 'string' &&
    type.toLowerCase().startsWith('application/x-www-form-urlencoded')
  )
}
