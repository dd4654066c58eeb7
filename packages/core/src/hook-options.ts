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

/** The verifier's hooks on verified tokens. */
export interface HookSettings {
  /**
   * Rules every route shares (an `org_id`, an `acr`, a tenant): asked for every request,
   * verified-token cache hits included, before the token enters that cache. See
   * {@link ValidateToken} for the answers.
   */
  readonly validate?: ValidateToken
  /**
   * How long `validate` may take when it answers with a promise.
   * @defaultValue 1000
   */
  readonly hookTimeoutMs?: number
}

export const HOOK_READERS = {
  validate: optional(callable<ValidateToken>()),
  hookTimeoutMs: withDefault(positiveInteger, DEFAULTS.hookTimeoutMs),
} as const satisfies Readers<HookSettings>
