import { JsonRpcRefusal } from './json-rpc-refusal.js'
import { optionRecord } from './option-readers.js'
import { rejectUnknownOptions } from './unknown-options.js'

/** Options of {@link originCheck}. */
export interface OriginCheckOptions {
  /**
   * The origins whose browser pages may call this server, e.g. `['https://app.example.com']`:
   * scheme, host and port, no path. Compared after RFC 6454 §6.2 serialisation (scheme and host
   * lower-cased, default port dropped), so `HTTPS://App.Example.com:443` is
   * `https://app.example.com`. The literal `'null'` admits the opaque origin of sandboxed
   * frames, `file:` pages and redirects; it is refused otherwise. `[]` admits no browser page:
   * only requests without `Origin` (command-line and desktop clients) pass.
   */
  readonly allowedOrigins: readonly string[]
}

/**
 * Checks the `Origin` of one request: passes when it is absent or allowed, throws a
 * {@link JsonRpcRefusal} `origin_not_allowed` (403, JSON-RPC body) otherwise.
 */
export interface OriginCheck {
  /** `origin`: the request's `Origin` header as Node gives it (a string, or `undefined`). */
  (origin: string | readonly string[] | undefined): void
  /** The allowed origins, serialised. */
  readonly allowedOrigins: readonly string[]
}

/**
 * Builds the `Origin` check the MCP Streamable HTTP transport requires of servers ("Security
 * Warning": servers MUST validate `Origin` on every connection and answer 403 when it is present
 * and not allowed), against DNS rebinding: a page on an attacker's name that resolves to this
 * server sends its own origin. A request without `Origin` (not from a browser) passes.
 * Options are validated now: a malformed origin is a `TypeError` naming it.
 *
 * @example
 * ```ts
 * const check = originCheck({ allowedOrigins: ['https://app.example.com'] })
 * check(req.headers.origin) // throws JsonRpcRefusal('origin_not_allowed') for another origin
 * ```
 */
export function originCheck(options: OriginCheckOptions): OriginCheck {
  const record = optionRecord(options, 'originCheck options')
  rejectUnknownOptions(record, { known: ['allowedOrigins'], elsewhere: new Map() }, '')
  const list: unknown = record.allowedOrigins
  if (!Array.isArray(list)) {
    throw new TypeError(
      '"allowedOrigins" must be an array of origins, e.g. ["https://app.example.com"]',
    )
  }
  const allowed = new Set<string>()
  for (const entry of list as unknown[]) {
    const origin = typeof entry === 'string' ? serializeOrigin(entry) : undefined
    if (origin === undefined) {
      throw new TypeError(
        `"allowedOrigins" entry ${JSON.stringify(entry)} is not an origin (scheme://host[:port], or 'null')`,
      )
    }
    allowed.add(origin)
  }
  const check = (origin: string | readonly string[] | undefined): void => {
    if (origin === undefined) return
    // Two Origin headers are no origin anyone can vouch for.
    const value = typeof origin === 'string' ? origin : origin.length === 1 ? origin[0] : undefined
    const serialized = value === undefined ? undefined : serializeOrigin(value)
    if (serialized === undefined || !allowed.has(serialized)) {
      throw new JsonRpcRefusal('origin_not_allowed')
    }
  }
  return Object.assign(check, { allowedOrigins: Object.freeze([...allowed]) })
}

/**
 * The RFC 6454 §6.2 ASCII serialisation of `value` (`scheme "://" host [ ":" port ]`, scheme and
 * host lower-cased, IDN host in punycode, default port omitted), or `undefined` when `value` is
 * not an origin: a path, query, fragment or credentials, or not a URL at all. `null` (RFC 6454
 * §7.3, an opaque origin) stays `null`.
 */
export function serializeOrigin(value: string): string | undefined {
  if (value === 'null') return 'null'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  const hasOnlyOrigin =
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    (url.pathname === '' || url.pathname === '/') &&
    // `new URL` accepts `https:host` too; an origin always has `//` (RFC 6454 §6.2).
    /^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(value) &&
    // A trailing `?` or `#` leaves an empty search or hash: still not an origin.
    !/[?#]/.test(value)
  if (!hasOnlyOrigin || url.host === '') return undefined
  // WHATWG URL lower-cases the host and drops the default port of http(s)/ws(s); hosts of other
  // schemes (browser extensions, app shells) are opaque, so lower-case them here.
  return `${url.protocol}//${url.host.toLowerCase()}`
}
