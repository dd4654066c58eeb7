import { KeywardError } from './errors.js'
import { callable, optional, optionRecord, type Reader, type Readers } from './option-readers.js'
import { rejectUnknownOptions } from './unknown-options.js'

/**
 * A token source of your own (a custom header, a session), asked on every request with the
 * framework's own request object: Express's `req`, Koa's `ctx`, Fastify's `request`, and in
 * Nest the request `getRequest` returns. It answers synchronously: the token, or `undefined`,
 * `null` or `''` for none. A throw, or any other answer, is `invalid_request` (400).
 */
export type GetToken = (request: never) => string | null | undefined

/** The `cookie` token source. */
export interface CookieSource {
  /** The cookie's name: an RFC 6265 §4.1.1 token, matched exactly (case-sensitive). */
  readonly name: string
}

/** Where else, besides the `Authorization` header, a request may carry its access token. */
export interface TokenSourceSettings {
  /**
   * Read the token from this cookie too, for browser-facing services. The `Authorization`
   * header wins; both carrying different tokens is `invalid_request` (400). Protect
   * state-changing routes against CSRF (`SameSite`, an origin check): a browser sends the
   * cookie with requests other sites make.
   */
  readonly cookie?: CookieSource
  /**
   * A token source of your own, asked on every request with the framework's request object
   * (Express `req`, Koa `ctx`, Fastify `request`; annotate the parameter with that type). See
   * {@link GetToken}. The `Authorization` header wins; two sources carrying different tokens is
   * `invalid_request` (400).
   */
  readonly getToken?: (request: never) => string | null | undefined
}

// RFC 6265 §4.1.1: cookie-name = token (RFC 2616 §2.2; the same set as RFC 9110 §5.6.2 tchar).
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const readCookie: Reader<CookieSource> = (value, name) => {
  const record = optionRecord(value, name)
  rejectUnknownOptions(record, { known: ['name'], elsewhere: new Map() }, `${name}.`)
  const cookieName = record.name
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName)) {
    throw new TypeError(
      `"${name}.name" must be a cookie name: an RFC 6265 token (letters, digits and !#$%&'*+-.^_\`|~)`,
    )
  }
  return Object.freeze({ name: cookieName })
}

export const TOKEN_SOURCE_READERS = {
  cookie: optional(readCookie),
  getToken: optional(callable<GetToken>()),
} as const satisfies Readers<TokenSourceSettings>

/** The token sources of a verifier, validated. */
export interface TokenSources {
  readonly cookie?: CookieSource | undefined
  readonly getToken?: GetToken | undefined
}

/**
 * The token a request carries in the configured cookie and from `getToken`, or `undefined`.
 * Throws `invalid_request` when they carry different tokens, when the cookie appears twice
 * with different values, and when `getToken` throws or answers something other than a string;
 * `token_too_large` for an oversized value.
 */
export function sourceToken(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  nativeRequest: unknown,
  sources: TokenSources,
  maxTokenBytes: number,
): string | undefined {
  const fromCookie =
    sources.cookie === undefined ? undefined : cookieToken(headers.cookie, sources.cookie.name)
  const fromHook =
    sources.getToken === undefined ? undefined : hookToken(sources.getToken, nativeRequest)
  if (fromCookie !== undefined && fromHook !== undefined && fromCookie !== fromHook) {
    throw new KeywardError('invalid_request')
  }
  const token = fromHook ?? fromCookie
  if (token !== undefined && token.length > maxTokenBytes) throw new KeywardError('token_too_large')
  return token
}

function hookToken(getToken: GetToken, request: unknown): string | undefined {
  let answer: unknown
  try {
    answer = getToken(request as never)
  } catch (error) {
    throw new KeywardError('invalid_request', { cause: error })
  }
  if (answer === undefined || answer === null || answer === '') return undefined
  if (typeof answer !== 'string') {
    throw new KeywardError('invalid_request', {
      cause: new TypeError('"getToken" answered neither a string nor undefined'),
    })
  }
  return answer
}

/**
 * The value of cookie `name` in the `Cookie` header (RFC 6265 §5.4: `name=value` pairs
 * separated by `;`), its surrounding double quotes removed (§4.1.1 allows them), never
 * percent-decoded. An empty value is no token (a cookie cleared on logout). The same name twice
 * with different values is `invalid_request`: a cookie set for a parent domain or another path
 * can shadow the real one (RFC 6265 §8.6), and keyward will not guess which is meant.
 */
export function cookieToken(
  header: string | readonly string[] | undefined,
  name: string,
): string | undefined {
  if (header === undefined) return undefined
  // Node joins repeated `Cookie` lines with "; " (RFC 9113 §8.2.3 splits them in HTTP/2).
  const text = typeof header === 'string' ? header : header.join('; ')
  let found: string | undefined
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf(';', start)
    if (end === -1) end = text.length
    const pair = text.slice(start, end)
    start = end + 1
    const equals = pair.indexOf('=')
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue
    let value = pair.slice(equals + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1)
    }
    if (found !== undefined && found !== value) throw new KeywardError('invalid_request')
    found = value
  }
  return found === '' ? undefined : found
}
