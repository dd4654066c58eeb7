import { KeywardError } from './errors.js'
import { checkScopeSet, expandScopes } from './scopes.js'
import { scopePolicyOf, type VerifiedToken } from './verified-token.js'
import { isScopeToken, type ChallengeOptions } from './www-authenticate.js'

/**
 * Checks a verified token against required scopes; throws `insufficient_scope` (403), or
 * `missing_token` (401) without a token. `challenge` is the realm / resource metadata for the
 * case where the token cannot say (`auth` is `undefined`): pass the verifier's `challenge`, so a
 * missing token is answered like the verifier would. A verified token always uses its own
 * verifier's.
 */
export type ScopeCheck = (auth: VerifiedToken | undefined, challenge?: ChallengeOptions) => void

/**
 * Builds a reusable scope check, validating the scope names once (RFC 6749 §3.3 scope-token).
 * `all` requires every scope, `any` at least one. A missing `auth` is `missing_token` (401),
 * challenged with the `challenge` passed to the check (e.g. `verifier.challenge`).
 *
 * @example
 * ```ts
 * const canWrite = scopeCheck(['files:write'])
 * canWrite(auth) // throws KeywardError('insufficient_scope') when not granted
 * canWrite(undefined, verifier.challenge) // missing_token, with the verifier's resource_metadata
 * ```
 */
export function scopeCheck(
  scopes: string | readonly string[],
  mode: 'all' | 'any' = 'all',
): ScopeCheck {
  const required = Object.freeze(
    typeof scopes === 'string' ? scopes.split(' ').filter(Boolean) : [...scopes],
  )
  if (required.length === 0) throw new TypeError('at least one scope is required')
  for (const scope of required) {
    if (typeof scope !== 'string' || !isScopeToken(scope)) {
      throw new TypeError(`${JSON.stringify(scope)} is not a valid scope (RFC 6749 §3.3)`)
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  if (mode !== 'all' && mode !== 'any') throw new TypeError('mode must be "all" or "any"')
  return (auth, challenge) => {
    // RFC 6750 §3.1: no credentials, no error code; realm and resource_metadata still apply.
    if (auth === undefined) throw new KeywardError('missing_token', { challenge })
    const policy = scopePolicyOf(auth)
    // Outside the try: a scopeHierarchy function that answers nonsense is a configuration
    // error (TypeError), not a 403.
    const granted = expandScopes(auth.scopes, policy?.hierarchy)
    try {
      checkScopeSet(granted, required, mode)
    } catch (error) {
      throw new KeywardError('insufficient_scope', {
        scopes: required,
        challenge: policy?.challenge ?? challenge,
        // RFC 9449 §7.1: a DPoP-bound token's request is challenged on the DPoP scheme.
        scheme: auth.binding === undefined ? 'Bearer' : 'DPoP',
        cause: error,
      })
    }
  }
}

/**
 * Throws `insufficient_scope` unless `auth` grants every scope in `scopes`.
 *
 * @example
 * ```ts
 * requireScopes(auth, ['read:orders', 'write:orders'])
 * ```
 */
export function requireScopes(
  auth: VerifiedToken | undefined,
  scopes: string | readonly string[],
): void {
  scopeCheck(scopes, 'all')(auth)
}

/**
 * Throws `insufficient_scope` unless `auth` grants at least one scope in `scopes`.
 *
 * @example
 * ```ts
 * requireAnyScope(auth, ['admin', 'support'])
 * ```
 */
export function requireAnyScope(
  auth: VerifiedToken | undefined,
  scopes: string | readonly string[],
): void {
  scopeCheck(scopes, 'any')(auth)
}
