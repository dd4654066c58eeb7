import { KeywardError } from './errors.js'
import { checkScopeSet, expandScopes } from './scopes.js'
import { scopePolicyOf, type VerifiedToken } from './verified-token.js'
import { isScopeToken, type ChallengeOptions } from './www-authenticate.js'

/** One scope rule: every scope (`all`) or at least one of them (`any`). */
export interface ScopeRule {
  readonly scopes: readonly string[]
  readonly mode: 'all' | 'any'
}

/**
 * Checks a verified token against one or more scope rules, all at once; throws
 * `insufficient_scope` (403), or `missing_token` (401) without a token. `challenge` is the realm
 * / resource metadata for the case where the token cannot say (`auth` is `undefined`): pass the
 * verifier's `challenge`, so a missing token is answered like the verifier would. A verified
 * token always uses its own verifier's.
 */
export interface ScopeCheck {
  (auth: VerifiedToken | undefined, challenge?: ChallengeOptions): void
  /** The rules enforced, in order. */
  readonly rules: readonly ScopeRule[]
  /**
   * The scopes this check's challenges name: every rule's scopes, once each. A 401 from the
   * check (no token) names them; a 403 names them too, except the alternatives of an any-of
   * rule the token already meets, where it names the ones granted.
   */
  readonly scopes: readonly string[]
}

/**
 * Builds a reusable scope check, validating the scope names once (RFC 6749 §3.3 scope-token).
 * `all` requires every scope, `any` at least one. A missing `auth` is `missing_token` (401)
 * whose challenge names these scopes (RFC 6750 §3), with the realm and resource metadata of the
 * `challenge` passed to the check (e.g. `verifier.challenge`).
 *
 * @example
 * ```ts
 * const canWrite = scopeCheck(['files:write'])
 * canWrite(auth) // throws KeywardError('insufficient_scope') when not granted
 * canWrite(undefined, verifier.challenge) // 401 missing_token, scope="files:write"
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
  return checkOf([Object.freeze({ scopes: required, mode })])
}

/**
 * One check enforcing every rule of `checks` together, so that one challenge names every scope
 * the request needs (MCP authorization, "Scope Challenge Handling": servers SHOULD include all
 * scopes required for the operation in a single challenge, not one missing scope per retry).
 * Adapters use it for chained checks (two `requireScopes` on a route, Nest's class and method
 * rules).
 *
 * @example
 * ```ts
 * const check = combineScopeChecks([scopeCheck('notes:read'), scopeCheck(['admin', 'owner'], 'any')])
 * check(auth) // 403 scope="notes:read admin owner" when the token has neither rule
 * ```
 */
export function combineScopeChecks(checks: readonly ScopeCheck[]): ScopeCheck {
  if (checks.length === 1 && checks[0] !== undefined) return checks[0]
  return checkOf(checks.flatMap((check) => check.rules))
}

function checkOf(rules: readonly ScopeRule[]): ScopeCheck {
  const scopes = Object.freeze([...new Set(rules.flatMap((rule) => rule.scopes))])
  const check = (auth: VerifiedToken | undefined, challenge?: ChallengeOptions): void => {
    // RFC 6750 §3.1: no credentials, no error code; realm and resource_metadata still apply,
    // and `scope` names what this route needs (MCP: a client asks for the 401's scopes first).
    if (auth === undefined) {
      throw new KeywardError('missing_token', { challenge: { ...challenge, scopes } })
    }
    const policy = scopePolicyOf(auth)
    // Outside the try: a scopeHierarchy function that answers nonsense is a configuration
    // error (TypeError), not a 403.
    const granted = expandScopes(auth.scopes, policy?.hierarchy)
    let failure: unknown
    for (const rule of rules) {
      try {
        checkScopeSet(granted, rule.scopes, rule.mode)
      } catch (error) {
        failure ??= error
      }
    }
    if (failure === undefined) return
    throw new KeywardError('insufficient_scope', {
      scopes: satisfyingScopes(rules, granted),
      challenge: policy?.challenge ?? challenge,
      // RFC 9449 §7.1: a DPoP-bound token's request is challenged on the DPoP scheme.
      scheme: auth.binding === undefined ? 'Bearer' : 'DPoP',
      cause: failure,
    })
  }
  return Object.assign(check, { rules: Object.freeze(rules), scopes })
}

/**
 * A scope set that meets every rule: all of an all-of rule's scopes, and of an any-of rule the
 * alternatives granted, or all of them when none is (RFC 6750 §3.1: the scopes necessary).
 */
function satisfyingScopes(rules: readonly ScopeRule[], granted: ReadonlySet<string>): string[] {
  const named = new Set<string>()
  for (const { scopes, mode } of rules) {
    const held = mode === 'any' ? scopes.filter((scope) => granted.has(scope)) : []
    for (const scope of held.length > 0 ? held : scopes) named.add(scope)
  }
  return [...named]
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
