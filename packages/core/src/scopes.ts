import { KeywardError } from './errors.js'
import type { ChallengeOptions } from './www-authenticate.js'

/**
 * The scopes a token grants, from every place issuers put them: `scope` (RFC 8693 §4.2, RFC 9068
 * §2.2.3: a space-delimited string), `scp` (Azure AD and Okta: a string or an array) and
 * `permissions` (Auth0 RBAC: an array). Merged in that order, without duplicates.
 * Throws `invalid_claim` when one of them has the wrong shape.
 */
export function normaliseScopes(claims: Record<string, unknown>): string[] {
  const scopes = new Set<string>()
  addScopes(scopes, claims.scope, false)
  addScopes(scopes, claims.scp, true)
  addScopes(scopes, claims.permissions, true, true)
  return [...scopes]
}

function addScopes(
  into: Set<string>,
  value: unknown,
  arrayAllowed: boolean,
  arrayOnly = false,
): void {
  if (value === undefined) return
  if (typeof value === 'string' && !arrayOnly) {
    for (const scope of value.split(' ')) if (scope !== '') into.add(scope)
    return
  }
  if (arrayAllowed && Array.isArray(value)) {
    for (const scope of value) {
      if (typeof scope !== 'string') throw new KeywardError('invalid_claim')
      if (scope !== '') into.add(scope)
    }
    return
  }
  throw new KeywardError('invalid_claim')
}

/**
 * Broader scopes that imply narrower ones: with `{ 'files:write': ['files:read'] }`, a token
 * granting `files:write` also satisfies `files:read`. A function returns the scopes one scope
 * implies.
 */
export type ScopeHierarchy =
  Readonly<Record<string, readonly string[]>> | ((granted: string) => readonly string[])

/**
 * What a verifier contributes to scope checks on the tokens it verified: carried by each
 * VerifiedToken, read by `scopeCheck`.
 */
export interface ScopePolicy {
  readonly challenge: ChallengeOptions
  readonly hierarchy: ScopeHierarchy | undefined
}

/**
 * The granted scopes and every scope they imply through `hierarchy`. Transitive; cycles are
 * harmless.
 */
export function expandScopes(
  granted: readonly string[],
  hierarchy: ScopeHierarchy | undefined,
): ReadonlySet<string> {
  const result = new Set(granted)
  if (hierarchy === undefined) return result
  const pending = [...granted]
  for (let scope = pending.pop(); scope !== undefined; scope = pending.pop()) {
    const implied =
      typeof hierarchy === 'function'
        ? hierarchy(scope)
        : Object.hasOwn(hierarchy, scope)
          ? hierarchy[scope]
          : undefined
    for (const next of implied ?? []) {
      if (!result.has(next)) {
        result.add(next)
        pending.push(next)
      }
    }
  }
  return result
}

/** Throws `insufficient_scope` naming every required scope unless `granted` satisfies `mode`. */
export function checkScopeSet(
  granted: ReadonlySet<string>,
  required: readonly string[],
  mode: 'all' | 'any',
): void {
  if (required.length === 0) return
  const ok =
    mode === 'all'
      ? required.every((scope) => granted.has(scope))
      : required.some((scope) => granted.has(scope))
  // RFC 6750 §3.1: the challenge lists the scopes necessary to access the resource.
  if (!ok) throw new KeywardError('insufficient_scope', { scopes: required })
}
