import { DEFAULTS } from './defaults.js'
import { callable, optional, positiveInteger, withDefault, type Readers } from './option-readers.js'
import type { VerifiedToken } from './verified-token.js'

/**
 * A rule every route shares, asked after the signature and the standard claims passed: `true`
 * accepts the token, `false` refuses it with `invalid_claim` (401). It may answer with a
 * promise. A throw, a rejection, an answer that is not a boolean and no answer within
 * `hookTimeoutMs` refuse the token too (`invalid_claim`, the reason in the error's `cause` and a
 * `token_hook_failed` event).
 */
export type ValidateToken = (token: VerifiedToken) => boolean | Promise<boolean>

/**
 * Whether a token that passed every other check has been revoked (a denylist of `jti`s, a
 * session store, an RFC 7662 introspection): `true` refuses it with `token_revoked` (401),
 * `false` lets it through. It may answer with a promise. A throw, a rejection, an answer that is
 * not a boolean and no answer within `hookTimeoutMs` are `revocation_unavailable` (503 with
 * `Retry-After`, a `token_hook_failed` event): the lookup failed, not the token, so the client
 * may retry, and the request is never accepted.
 */
export type IsRevoked = (token: VerifiedToken) => boolean | Promise<boolean>

/** The verifier's hooks on verified tokens. */
export interface HookSettings {
  /**
   * Rules every route shares (an `org_id`, an `acr`, a tenant): asked for every request,
   * verified-token cache hits included, before the token enters that cache. See
   * {@link ValidateToken} for the answers.
   */
  readonly validate?: ValidateToken
  /**
   * Revocation: asked with the verified token on every request, after `validate` passed,
   * verified-token cache hits included (one call per request: a cache hit saves the signature,
   * not this lookup), before the token enters that cache. See {@link IsRevoked} for the answers.
   */
  readonly isRevoked?: IsRevoked
  /**
   * How long `validate` and `isRevoked` may take when they answer with a promise.
   * @defaultValue 1000
   */
  readonly hookTimeoutMs?: number
  /**
   * The `Retry-After` of a `revocation_unavailable` answer (rounded up to whole seconds). A
   * `TypeError` without `isRevoked`.
   * @defaultValue 5000
   */
  readonly revocationRetryAfterMs?: number
}

export const HOOK_READERS = {
  validate: optional(callable<ValidateToken>()),
  isRevoked: optional(callable<IsRevoked>()),
  hookTimeoutMs: withDefault(positiveInteger, DEFAULTS.hookTimeoutMs),
  revocationRetryAfterMs: withDefault(positiveInteger, DEFAULTS.revocationRetryAfterMs),
} as const satisfies Readers<HookSettings>
