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
  // RFC 9449 (DPoP) and the replay store.
  | 'invalid_dpop_proof'
  | 'dpop_proof_replayed'
  | 'use_dpop_nonce'
  | 'dpop_binding_mismatch'
  | 'dpop_required'
  | 'dpop_not_accepted'
  | 'sender_constrained_token'
  | 'token_replayed'
  | 'replay_store_unavailable'
  | 'jwks_misconfigured'
  // The verifier's `isRevoked` hook.
  | 'token_revoked'
  | 'revocation_unavailable'

/**
 * The error code a failure is reported as in `WWW-Authenticate`: RFC 6750 §3.1's, and RFC 9449
 * §7.1 / §9's for DPoP proofs.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

/** The auth-scheme a failure belongs to: the one the request used. */
export type AuthScheme = 'Bearer' | 'DPoP'

interface CodeSpec {
  readonly status: number
  readonly oauthError: OAuthErrorCode | undefined
  readonly message: string
  /** The scheme this code concerns, whatever the request used (DPoP-only codes). */
  readonly scheme?: AuthScheme
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
  // RFC 9449 §7.1: a proof that fails any §4.3 check.
  invalid_dpop_proof: {
    status: 401,
    oauthError: 'invalid_dpop_proof',
    message: 'invalid DPoP proof',
    scheme: 'DPoP',
  },
  // RFC 9449 §11.1: a proof whose `jti` was already used.
  dpop_proof_replayed: {
    status: 401,
    oauthError: 'invalid_dpop_proof',
    message: 'DPoP proof already used',
    scheme: 'DPoP',
  },
  // RFC 9449 §9: the resource server's nonce is missing or stale; `DPoP-Nonce` has a fresh one.
  use_dpop_nonce: {
    status: 401,
    oauthError: 'use_dpop_nonce',
    message: 'DPoP nonce required',
    scheme: 'DPoP',
  },
  // RFC 9449 §7.1 (figure 16): the token's `cnf.jkt` is not the proof key's thumbprint.
  dpop_binding_mismatch: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'DPoP key binding mismatch',
    scheme: 'DPoP',
  },
  dpop_required: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'DPoP-bound access token required',
    scheme: 'DPoP',
  },
  dpop_not_accepted: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'DPoP not accepted for this issuer',
  },
  // RFC 9449 §7.2: a DPoP-bound (any `cnf`) token sent as a bearer token is a downgrade.
  sender_constrained_token: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'sender-constrained access token presented as bearer',
  },
  token_replayed: {
    status: 401,
    oauthError: 'invalid_token',
    message: 'access token already used',
  },
  replay_store_unavailable: {
    status: 503,
    oauthError: undefined,
    message: 'replay store temporarily unavailable',
  },
  // The keys cannot be loaded because the configuration is wrong (a JWKS URL answering 404, a
  // discovery document naming another issuer...), not because the issuer is down. A distinct
  // code for the operator; the client gets exactly the answer of an outage (503, Retry-After,
  // `temporarily_unavailable`): the fault is the server's, a retry may succeed once it is
  // fixed, and nothing about the server's configuration leaks.
  jwks_misconfigured: {
    status: 503,
    oauthError: undefined,
    message: 'signing keys cannot be loaded: the issuer configuration is wrong',
  },
  // The `isRevoked` hook answered true: the token is valid but withdrawn (RFC 6750 §3.1:
  // "revoked ... or invalid for other reasons" is `invalid_token`).
  token_revoked: { status: 401, oauthError: 'invalid_token', message: 'access token revoked' },
  // The `isRevoked` hook gave no answer: the server cannot tell, so it fails closed with a
  // retryable 503, as for `replay_store_unavailable`; never an accept, never a 401 that would
  // send a client with a good token off to get another.
  revocation_unavailable: {
    status: 503,
    oauthError: undefined,
    message: 'revocation status temporarily unavailable',
  },
}

/** Options for {@link KeywardError}; everything here is set by keyward, never from request data. */
export interface KeywardErrorOptions {
  /** The underlying failure, for logs. Never rendered to clients. */
  readonly cause?: unknown
  /** The scopes the request needed (`insufficient_scope` only). */
  readonly scopes?: readonly string[]
  /**
   * For a 503 (`jwks_unavailable`, `jwks_misconfigured`, `replay_store_unavailable`,
   * `revocation_unavailable`): when a retry may succeed, in milliseconds from now.
   */
  readonly retryAfterMs?: number
  /** Realm and resource metadata for the challenge. */
  readonly challenge?: ChallengeOptions
  /**
   * The scheme the request used, whose challenge carries the error (RFC 9449 §7.2: both may be
   * offered). DPoP-only codes always use `DPoP`.
   * @defaultValue 'Bearer'
   */
  readonly scheme?: AuthScheme
  /** For `use_dpop_nonce`: the fresh nonce sent as `DPoP-Nonce` (RFC 9449 §9). */
  readonly dpopNonce?: string
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
  /** Milliseconds until keys will be fetched again, for `jwks_unavailable` and `jwks_misconfigured`. */
  readonly retryAfterMs: number | undefined
  /** Realm and resource metadata the challenge was built with. */
  readonly challenge: ChallengeOptions
  /** The auth-scheme whose challenge carries the error. */
  readonly scheme: AuthScheme
  /** For `use_dpop_nonce`: the nonce sent in `DPoP-Nonce`. */
  readonly dpopNonce: string | undefined

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
    this.scheme = spec.scheme ?? options.scheme ?? 'Bearer'
    this.dpopNonce = options.dpopNonce
    this.headers = buildHeaders(this)
  }

  /** The same failure, answered with another realm / resource metadata. */
  withChallenge(challenge: ChallengeOptions): KeywardError {
    return this.#copy({ challenge })
  }

  /** The same failure, answered on the challenge of another scheme (the one the request used). */
  withScheme(scheme: AuthScheme): KeywardError {
    return scheme === this.scheme ? this : this.#copy({ scheme })
  }

  #copy(changes: KeywardErrorOptions): KeywardError {
    return new KeywardError(this.code, {
      cause: this.cause,
      scopes: this.scopes,
      retryAfterMs: this.retryAfterMs,
      challenge: this.challenge,
      scheme: this.scheme,
      dpopNonce: this.dpopNonce,
      ...changes,
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
  if (error.status === 503) {
    // RFC 9110 §10.2.3: delay-seconds, at least 1 so clients do not retry in a tight loop.
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000))
    return { 'Retry-After': String(seconds) }
  }
  const { realm, resourceMetadataUrl, dpop } = error.challenge
  const bare = { realm, resourceMetadataUrl }
  const full = {
    ...bare,
    error: error.oauthError,
    description: error.oauthError === undefined ? undefined : error.message,
    // RFC 6750 §3: a 403 names the scopes its check required; a 401 the scopes to ask for
    // (MCP authorization: servers SHOULD put `scope` on a 401), when configured.
    scopes:
      error.code === 'insufficient_scope'
        ? error.scopes
        : error.status === 401
          ? error.challenge.scopes
          : undefined,
  }
  if (dpop === undefined) return { 'WWW-Authenticate': formatChallenge(full) }
  // RFC 9449 §7.1 / §7.2: a `DPoP` challenge with `algs`, after a `Bearer` one when both schemes
  // are accepted; the error goes in the challenge of the scheme the request used.
  const onDpop = error.scheme === 'DPoP' || !dpop.bearer
  const challenges = [
    formatChallenge({
      ...(onDpop ? full : bare),
      scheme: 'DPoP',
      algorithms: dpop.algorithms,
    }),
  ]
  if (dpop.bearer) challenges.unshift(formatChallenge(onDpop ? bare : full))
  const headers: Record<string, string> = { 'WWW-Authenticate': challenges.join(', ') }
  if (error.dpopNonce !== undefined) headers['DPoP-Nonce'] = error.dpopNonce
  return headers
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
