import { KeywardError } from './errors.js'

/** What the claims of one issuer's tokens must satisfy. */
export interface ClaimsPolicy {
  /** Accepted audiences, or `null` when the audience check is explicitly disabled. */
  readonly audiences: ReadonlySet<string> | null
  readonly clockToleranceMs: number
  readonly maxTokenAgeMs: number | undefined
  readonly maxTokenLifetimeMs: number | undefined
  readonly requiredClaims: readonly string[]
  /**
   * Claims that must be non-empty strings of at most {@link MAX_IDENTIFIER_LENGTH} characters
   * when present: `sub`, `client_id` and `jti` under the RFC 9068 profile.
   */
  readonly identifierClaims: readonly string[]
}

/**
 * The longest identifier claim accepted under the RFC 9068 profile, in UTF-16 code units:
 * OpenID Connect Core §2 caps `sub` at 255 ASCII characters, and the same bound keeps
 * `client_id` and `jti`, which applications store, index and log, to a size they can budget.
 */
export const MAX_IDENTIFIER_LENGTH = 255

/**
 * Checks the registered claims (RFC 7519 §4.1) except `iss`, which chose the policy. Time claims
 * must be finite numbers: `"exp": "9999999999"` or `1e309` (parsed as Infinity) are invalid, not
 * "far in the future".
 */
export function checkClaims(
  claims: Record<string, unknown>,
  policy: ClaimsPolicy,
  nowMs: number,
): void {
  checkAudience(claims.aud, policy.audiences)
  checkTimes(claims, policy, nowMs)
  for (const name of policy.requiredClaims) {
    if (claims[name] === undefined || claims[name] === null) throw new KeywardError('invalid_claim')
  }
  // Claims whose type keyward relies on when it builds a VerifiedToken. Read by name, not in a
  // loop over names: a loop's one keyed read sees every claim and goes megamorphic.
  checkOptionalString(claims.sub)
  checkOptionalString(claims.client_id)
  checkOptionalString(claims.azp)
  checkOptionalString(claims.jti)
  checkOptionalString(claims.scope)
  // RFC 9068 §2.2: identifiers of the subject, the client and the token itself. An empty one
  // identifies nothing, and an unbounded one is a denial of service on whatever stores it.
  for (const name of policy.identifierClaims) {
    const value = claims[name]
    if (
      value !== undefined &&
      (typeof value !== 'string' || value === '' || value.length > MAX_IDENTIFIER_LENGTH)
    ) {
      throw new KeywardError('invalid_claim')
    }
  }
}

function checkOptionalString(value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw new KeywardError('invalid_claim')
}

/** Re-checks only the time claims: for a token served from the verified-token cache. */
export function checkTimes(
  claims: Record<string, unknown>,
  policy: ClaimsPolicy,
  nowMs: number,
): void {
  const exp = claims.exp
  // RFC 9068 §2.2 and the design: `exp` is required.
  if (!isFiniteNumber(exp)) throw new KeywardError('invalid_claim')
  const tolerance = policy.clockToleranceMs
  // RFC 7519 §4.1.4: the current time must be before `exp`.
  if (nowMs - tolerance >= exp * 1000) throw new KeywardError('token_expired')
  const nbf = claims.nbf
  if (nbf !== undefined) {
    if (!isFiniteNumber(nbf)) throw new KeywardError('invalid_claim')
    // RFC 7519 §4.1.5
    if (nowMs + tolerance < nbf * 1000) throw new KeywardError('token_not_yet_valid')
  }
  const iat = claims.iat
  if (iat !== undefined) {
    if (!isFiniteNumber(iat)) throw new KeywardError('invalid_claim')
    // A token issued in the future was minted by a broken or hostile clock.
    if (nowMs + tolerance < iat * 1000) throw new KeywardError('token_not_yet_valid')
  }
  if (policy.maxTokenAgeMs !== undefined) {
    if (iat === undefined) throw new KeywardError('invalid_claim')
    if (nowMs - tolerance > iat * 1000 + policy.maxTokenAgeMs) {
      throw new KeywardError('token_expired')
    }
  }
  if (policy.maxTokenLifetimeMs !== undefined) {
    if (iat === undefined) throw new KeywardError('invalid_claim')
    if ((exp - iat) * 1000 > policy.maxTokenLifetimeMs) throw new KeywardError('invalid_claim')
  }
}

/** RFC 7519 §4.1.3: `aud` is a string or an array of strings, one of which must be ours. */
function checkAudience(aud: unknown, audiences: ReadonlySet<string> | null): void {
  if (typeof aud === 'string') {
    if (audiences !== null && !audiences.has(aud)) throw new KeywardError('invalid_audience')
    return
  }
  if (aud === undefined) {
    if (audiences !== null) throw new KeywardError('invalid_audience')
    return
  }
  if (!Array.isArray(aud) || aud.length === 0) throw new KeywardError('invalid_audience')
  let accepted = audiences === null
  for (const entry of aud) {
    if (typeof entry !== 'string') throw new KeywardError('invalid_audience')
    if (!accepted && audiences?.has(entry) === true) accepted = true
  }
  if (!accepted) throw new KeywardError('invalid_audience')
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}
