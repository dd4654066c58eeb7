/** Why a fetch of a JWKS or metadata document failed. Stable; reported in events and health. */
export type FetchFailureReason =
  | 'network'
  | 'timeout'
  | 'http_status'
  | 'redirect'
  | 'too_large'
  | 'invalid_json'
  | 'invalid_shape'
  | 'empty_key_set'
  | 'no_usable_keys'
  | 'issuer_mismatch'
  | 'unsafe_jwks_uri'
  | 'jwks_origin_not_allowed'
  | 'token_file_unreadable'

/** Two values that had to be identical, for `issuer_mismatch`: the configured one and the one received. */
export interface ComparedValues {
  readonly expected: string
  readonly received: string
}

interface FetchFailureDetails {
  readonly httpStatus?: number | undefined
  readonly retryAfterMs?: number | undefined
  readonly url?: string | undefined
  readonly compared?: ComparedValues | undefined
  readonly cause?: unknown
}

// Reasons that no amount of waiting fixes: the URL, the issuer string or the document is wrong.
// A redirect is one too: the configured URL is not where the issuer serves (RFC 8414 §3 and OIDC
// Discovery §4 name exact URLs; keyward never follows one, see fetch-json.ts).
const MISCONFIGURATION_REASONS: ReadonlySet<FetchFailureReason> = new Set([
  'redirect',
  'invalid_json',
  'invalid_shape',
  'issuer_mismatch',
  'unsafe_jwks_uri',
  'jwks_origin_not_allowed',
  'token_file_unreadable',
])

// 4xx answers that say "not here" or "not you", which retrying does not change: 400, 401, 403,
// 404, 405, 406, 410. 408 (timeout) and 429 (rate limit) are transient, and 5xx is an outage.
const MISCONFIGURATION_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 405, 406, 410])

/**
 * A failed fetch. Internal detail for events, logs and `health()`, never sent to clients: its
 * message names the URL, the HTTP status and the values compared, for the operator.
 */
export class FetchFailure extends Error {
  override readonly name = 'FetchFailure'
  readonly reason: FetchFailureReason
  readonly httpStatus: number | undefined
  /** From `Retry-After` on 429 and 503 answers. */
  readonly retryAfterMs: number | undefined
  /** The URL that failed (the JWKS, or an issuer metadata document). */
  readonly url: string | undefined
  /** For `issuer_mismatch`: the configured issuer and the `issuer` the metadata names. */
  readonly compared: ComparedValues | undefined

  constructor(reason: FetchFailureReason, details: FetchFailureDetails = {}) {
    super(describe(reason, details), { cause: details.cause })
    this.reason = reason
    this.httpStatus = details.httpStatus
    this.retryAfterMs = details.retryAfterMs
    this.url = details.url
    this.compared = details.compared
  }

  /**
   * Whether this failure is a configuration problem (a wrong URL, issuer string or document)
   * rather than an outage: answered as `jwks_misconfigured`, and logged as such.
   */
  get misconfigured(): boolean {
    return (
      MISCONFIGURATION_REASONS.has(this.reason) ||
      (this.reason === 'http_status' &&
        this.httpStatus !== undefined &&
        MISCONFIGURATION_STATUSES.has(this.httpStatus))
    )
  }

  /** The same failure, naming the URL it happened at (kept if it already names one). */
  at(url: string): FetchFailure {
    if (this.url !== undefined) return this
    return new FetchFailure(this.reason, {
      httpStatus: this.httpStatus,
      retryAfterMs: this.retryAfterMs,
      compared: this.compared,
      cause: this.cause,
      url,
    })
  }
}

/** The operator's sentence: what happened, where, and for a misconfiguration what to check. */
function describe(reason: FetchFailureReason, details: FetchFailureDetails): string {
  const where = details.url === undefined ? '' : ` ${details.url}`
  switch (reason) {
    case 'http_status':
      return `GET${where} answered ${String(details.httpStatus)}${statusHint(details.httpStatus)}`
    case 'redirect':
      return `GET${where} answered a redirect (${String(details.httpStatus)}), which keyward never follows: configure the URL it redirects to`
    case 'invalid_json':
      return `GET${where} answered a body that is not JSON: the URL is not a JWKS or metadata document`
    case 'invalid_shape':
      return `GET${where} answered JSON that is not the expected document (a JWKS needs "keys"; issuer metadata needs "issuer" and "jwks_uri")`
    case 'issuer_mismatch':
      return `the metadata at${where} names issuer ${JSON.stringify(details.compared?.received)}, not the configured ${JSON.stringify(details.compared?.expected)}: set "issuer" to exactly the value tokens carry in "iss" (RFC 8414 §3.3)`
    case 'unsafe_jwks_uri':
      return `the metadata at${where} names a jwks_uri keyward does not fetch from (not https:, or an internal address)`
    case 'jwks_origin_not_allowed':
      return `the metadata at${where} moved jwks_uri to an origin not in "jwksOrigins"`
    case 'token_file_unreadable':
      return `the service-account token for GET${where} could not be read from "tokenFile" (missing, unreadable or not a token): check the projected volume`
    default:
      return `fetch of${where || ' keys'} failed: ${reason}`
  }
}

function statusHint(status: number | undefined): string {
  if (status === 404 || status === 410) {
    return ': the URL is wrong (let discovery find the JWKS: configure "issuer" without "jwksUri")'
  }
  if (status === 401 || status === 403) {
    return ': the endpoint wants credentials (see "fetchHeaders") or refuses this server'
  }
  return ''
}
