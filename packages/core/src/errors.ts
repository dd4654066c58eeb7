import { formatChallenge, type ChallengeOptions } from './www-authenticate.js'

/**
 * Every way a request can fail authentication or authorisation. Stable: tests and users branch on
 * these strings, never on messages.
 */
export type KeywardErrorCode =
  | 'missing_token'
  | 'invalid_request'
  | 'malformed_token'
  | 'token_too_large'
  | 'algorithm_not_allowed'
  | 'invalid_type'
  | 'unknown_key'
  | 'invalid_signature'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_claim'
  | 'invalid_spiffe_id'
  | 'untrusted_trust_domain'
  | 'x509_svid_key'
  | 'insufficient_scope'
  | 'workload_not_allowed'
  | 'jwks_unavailable'

/** The RFC 6750 §3.1 error code a failure is reported as in `WWW-Authenticate`. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

interface CodeSpec {
  readonly status: number
  readonly oauthError: OAuthErrorCode | undefined
  readonly message: string
}

// Fixed texts: they go to clients as `error_description`, so they never contain request data.
const CODES: Record<KeywardErrorCode, CodeSpec> = {
  // RFC 6750 §3.1: a request without credentials gets a challenge with no error code.
  missing_token: { status: 401, oauthError: undefined, message: 'access token required' },
  invalid_request: {
    status: 400,
    oauthError: 'invalid_request',
    message: 'malformed or duplicated credentials',
  },
  malformed_token: { status: 401, oauthError: 'invalid_token', message: 'malformed access token' },
  token_too_large: { status: 401, oauthError: 'invalid_token', message: 'access token too large' },
  algorithm_not_allowed: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'signing algorithm not allowed',
  },
  invalid_type: { status: 401, oauthError: 'invalid_token', message: 'token type not accepted' },
  unknown_key: { status: 401, oauthError: 'invalid_token', message: 'signing key not found' },
  invalid_signature: { status: 401, oauthError: 'invalid_token', message: 'invalid signature' },
  invalid_issuer: { status: 401, oauthError: 'invalid_token', message: 'issuer not accepted' },
  invalid_audience: { status: 401, oauthError: 'invalid_token', message: 'audience not accepted' },
  token_expired: { status: 401, oauthError: 'invalid_token', message: 'access token expired' },
  token_not_yet_valid: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'access token not yet valid',
  },
  invalid_claim: { status: 401, oauthError: 'invalid_token', message: 'invalid claim' },
  // JWT-SVIDs (SPIFFE JWT-SVID §3.1, Trust Domain and Bundle §4.2.2).
  invalid_spiffe_id: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'subject is not a SPIFFE ID',
  },
  untrusted_trust_domain: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'trust domain not trusted',
  },
  x509_svid_key: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'key not authorized for JWT-SVIDs',
  },
  // A workload guard (SPIFFE ID, service account) refused a valid token: the caller needs
  // another identity, not another token (RFC 6750 §3.1: "higher privileges than provided").
  workload_not_allowed: {
    status: 403,
    oauthError: 'insufficient_scope',
    message: 'workload not allowed',
  },
  insufficient_scope: {
    status: 403,
    oauthError: 'insufficient_scope',
    message: 'insufficient scope',
  },
  jwks_unavailable: {
    status: 503,
    oauthError: undefined,
    message: 'signing keys temporarily unavailable',
  },
}

/** Options for {@link KeywardError}; everything here is set by keyward, never from request data. */
export interface KeywardErrorOptions {
  /** The underlying failure, for logs. Never rendered to clients. */
  readonly cause?: unknown
  /** The scopes the request needed (`insufficient_scope` only). */
  readonly scopes?: readonly string[]
  /** For `jwks_unavailable`: when the next key fetch will be attempted, in milliseconds from now. */
  readonly retryAfterMs?: number
  /** Realm and resource metadata for the challenge. */
  readonly challenge?: ChallengeOptions
}

const BRAND = 'keyward.error'

/**
 * A failed authentication or authorisation, carrying everything a framework needs to answer:
 * `status`, `expose` and `headers` (with `WWW-Authenticate`), in the shape that Express's and
 * Koa's default error handlers already render.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verify(token)
 * } catch (error) {
 *   if (isKeywardError(error)) console.log(error.code, error.status)
 * }
 * ```
 */
export class KeywardError extends Error {
  override readonly name = 'KeywardError'
  /** Stable reason; branch on this. */
  readonly code: KeywardErrorCode
  /** HTTP status: 400, 401, 403 or 503. */
  readonly status: number
  /** Alias of `status` for frameworks that read `statusCode`. */
  readonly statusCode: number
  /** Whether the message may be shown to the client (false for 503: an internal condition). */
  readonly expose: boolean
  /** Response headers: `WWW-Authenticate` on 400/401/403, `Retry-After` on 503. */
  readonly headers: Readonly<Record<string, string>>
  /** The RFC 6750 error code (`invalid_request`, `invalid_token`, `insufficient_scope`), if any. */
  readonly oauthError: OAuthErrorCode | undefined
  /** The scopes the request needed, for `insufficient_scope`. */
  readonly scopes: readonly string[]
  /** Milliseconds until keys will be fetched again, for `jwks_unavailable`. */
  readonly retryAfterMs: number | undefined
  /** Realm and resource metadata the challenge was built with. */
  readonly challenge: ChallengeOptions

  constructor(code: KeywardErrorCode, options: KeywardErrorOptions = {}) {
    const spec = CODES[code]
    // A client error is the answer to a bad request, not a fault of this process: anyone can
    // cause one per request, so it captures no stack (capturing and formatting one costs CPU, and
    // frameworks that log every error they handle, Express's default handler among them, would
    // print it each time) and its `stack` is one line naming the code, with no file paths. A 503
    // keeps its stack and `cause` for operators.
    const client = spec.status < 500
    const stackTraceLimit = Error.stackTraceLimit
    if (client) Error.stackTraceLimit = 0
    super(spec.message, options.cause === undefined ? undefined : { cause: options.cause })
    if (client) {
      Error.stackTraceLimit = stackTraceLimit
      this.stack = `KeywardError [${code}]: ${spec.message}`
    }
    this.code = code
    this.status = spec.status
    this.statusCode = spec.status
    this.expose = spec.status < 500
    this.oauthError = spec.oauthError
    this.scopes = options.scopes ?? []
    this.retryAfterMs = options.retryAfterMs
    this.challenge = options.challenge ?? {}
    this.headers = buildHeaders(this)
  }

  /** The same failure, answered with another realm / resource metadata. */
  withChallenge(challenge: ChallengeOptions): KeywardError {
    return new KeywardError(this.code, {
      cause: this.cause,
      scopes: this.scopes,
      retryAfterMs: this.retryAfterMs,
      challenge,
    })
  }

  /** The RFC 6750 §3 JSON body: `{ error, error_description }` (empty for `missing_token`). */
  toJSON(): { error?: string; error_description?: string } {
    if (this.oauthError === undefined) {
      return this.status >= 500 ? { error: 'temporarily_unavailable' } : {}
    }
    return { error: this.oauthError, error_description: this.message }
  }
}

Object.defineProperty(KeywardError.prototype, Symbol.for(BRAND), { value: true })
// `util.inspect` (and so `console.error(error)`, as Express 5's default handler logs) shows a
// client error as its one-line `stack`, not its headers and fields over a dozen lines; a 503
// (returning the error itself) gets Node's full rendering, cause included.
Object.defineProperty(KeywardError.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value: function inspect(this: KeywardError): unknown {
    return this.status < 500 ? this.stack : this
  },
})

function buildHeaders(error: KeywardError): Record<string, string> {
  if (error.code === 'jwks_unavailable') {
    // RFC 9110 §10.2.3: delay-seconds, at least 1 so clients do not retry in a tight loop.
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000))
    return { 'Retry-After': String(seconds) }
  }
  return {
    'WWW-Authenticate': formatChallenge({
      ...error.challenge,
      error: error.oauthError,
      description: error.oauthError === undefined ? undefined : error.message,
      scopes: error.code === 'insufficient_scope' ? error.scopes : undefined,
    }),
  }
}

/**
 * Whether `value` is a {@link KeywardError}, also across two copies of the package.
 *
 * @example
 * ```ts
 * if (isKeywardError(error) && error.code === 'token_expired') refresh()
 * ```
 */
export function isKeywardError(value: unknown): value is KeywardError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for(BRAND)] === true &&
    typeof (value as { code?: unknown }).code === 'string' &&
    Object.hasOwn(CODES, (value as { code: string }).code)
  )
}

/** The HTTP status a code is answered with. */
export function statusOf(code: KeywardErrorCode): number {
  return CODES[code].status
}
