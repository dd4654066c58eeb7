import { DEFAULTS } from './defaults.js'
import { KeywardError } from './errors.js'
import { askHook, type HookAnswer } from './hook-answer.js'
import {
  optionRecord,
  positiveInteger,
  readAll,
  withDefault,
  type Readers,
} from './option-readers.js'
import { rejectUnknownOptions } from './unknown-options.js'
import { scopePolicyOf, type JwtClaims, type VerifiedToken } from './verified-token.js'
import type { ChallengeOptions } from './www-authenticate.js'

/**
 * Checks a verified token's claims for one route: returns (or resolves) when the token passes,
 * throws (or rejects with) `invalid_claim` (401) when it does not, and `missing_token` (401)
 * without a token. `challenge` answers a missing token the way the verifier would (pass
 * `verifier.challenge`); a verified token always uses its own verifier's. A synchronous check
 * returns `undefined`; only a {@link claimCheck} whose predicate answers with a promise returns
 * one.
 */
export type ClaimCheck = (
  auth: VerifiedToken | undefined,
  challenge?: ChallengeOptions,
) => void | Promise<void>

/** A value a claim is compared with: JSON's primitives, compared with `===`. */
export type ClaimValue = string | number | boolean

/**
 * A rule about a token's claims: `true` accepts the token, `false` refuses it (`invalid_claim`).
 * It may answer with a promise. A throw, a rejection, an answer that is not a boolean or no
 * answer within the deadline refuses the token too (`invalid_claim`, the reason in the error's
 * `cause`): a claim rule judges the token, and a rule that cannot say yes is a no.
 */
export type ClaimPredicate = (
  claims: Readonly<JwtClaims>,
  token: VerifiedToken,
) => boolean | Promise<boolean>

/** Options of {@link claimCheck}. */
export interface ClaimCheckOptions {
  /**
   * How long a predicate answering with a promise may take; past it the token is refused.
   * @defaultValue 1000
   */
  readonly timeoutMs?: number
}

const CLAIM_CHECK_READERS = {
  timeoutMs: withDefault(positiveInteger, DEFAULTS.hookTimeoutMs),
} as const satisfies Readers<ClaimCheckOptions>
const CLAIM_CHECK_NAMES = Object.keys(CLAIM_CHECK_READERS)

/**
 * Requires the claim `name` to be exactly `value` (`===`: `'42'` is not `42`). Validated now, at
 * start-up: a claim name that is not a non-empty string, or a value that is not a string, finite
 * number or boolean, is a `TypeError`.
 *
 * @example
 * ```ts
 * const acmeOnly = claimEquals('org_id', 'acme')
 * acmeOnly(auth) // throws KeywardError('invalid_claim') unless auth.claims.org_id === 'acme'
 * ```
 */
export function claimEquals(name: string, value: ClaimValue): ClaimCheck {
  claimName(name, 'claimEquals')
  claimValue(value, 'claimEquals', 'value')
  return (auth, challenge) => {
    const token = present(auth, challenge)
    if (claimOf(token, name) !== value) throw refusal(token, challenge)
  }
}

/**
 * Requires the claim `name` to include every one of `values`: an array holding each (`===`), or
 * a string read as a space-separated list, as `scope` is (RFC 6749 §3.3), when every value is a
 * string. Validated now: at least one value, each a string, finite number or boolean.
 *
 * @example
 * ```ts
 * const editors = claimIncludes('roles', 'editor', 'reviewer')
 * editors(auth) // passes for roles: ['editor', 'reviewer', 'admin'] or 'reviewer editor'
 * ```
 */
export function claimIncludes(name: string, ...values: ClaimValue[]): ClaimCheck {
  claimName(name, 'claimIncludes')
  if (values.length === 0) throw new TypeError('claimIncludes needs at least one value')
  values.forEach((value, index) => {
    claimValue(value, 'claimIncludes', `values[${index}]`)
  })
  const required = Object.freeze([...values])
  const splits = required.every((value) => typeof value === 'string')
  return (auth, challenge) => {
    const token = present(auth, challenge)
    const claim = claimOf(token, name)
    const list: readonly unknown[] | undefined = Array.isArray(claim)
      ? claim
      : splits && typeof claim === 'string'
        ? claim.split(' ')
        : undefined
    if (list === undefined || !required.every((value) => list.includes(value))) {
      throw refusal(token, challenge)
    }
  }
}

/**
 * Requires `predicate(claims, token)` to answer `true`. A predicate answering synchronously
 * makes a synchronous check; one answering with a promise gets `options.timeoutMs`. `false`, a
 * throw or rejection, a non-boolean answer and a timeout all refuse the token with
 * `invalid_claim` (401); the error's `cause` says which, for logs.
 *
 * @example
 * ```ts
 * const sameTenant = claimCheck((claims) => claims.tid === 'a1b2' && claims.acr === 'mfa')
 * await sameTenant(auth)
 * ```
 */
export function claimCheck(predicate: ClaimPredicate, options?: ClaimCheckOptions): ClaimCheck {
  if (typeof predicate !== 'function') throw new TypeError('claimCheck needs a function')
  const record = options === undefined ? {} : optionRecord(options, 'claimCheck options')
  rejectUnknownOptions(record, { known: CLAIM_CHECK_NAMES, elsewhere: new Map() }, '')
  const { timeoutMs } = readAll(record, CLAIM_CHECK_READERS, '')
  const ask = (token: VerifiedToken) => predicate(token.claims, token)
  return (auth, challenge) => {
    const token = present(auth, challenge)
    const answer = askHook('claimCheck', ask, token, timeoutMs)
    if (!(answer instanceof Promise)) {
      judge(answer, token, challenge)
      return undefined
    }
    return answer.then((settled) => {
      judge(settled, token, challenge)
    })
  }
}

function judge(answer: HookAnswer, token: VerifiedToken, challenge?: ChallengeOptions): void {
  if (answer !== true) throw refusal(token, challenge, answer === false ? undefined : answer)
}

/** RFC 6750 §3.1: no credentials, no error code; realm and resource_metadata still apply. */
function present(auth: VerifiedToken | undefined, challenge?: ChallengeOptions): VerifiedToken {
  if (auth === undefined) throw new KeywardError('missing_token', { challenge })
  return auth
}

/** An own member only: claims have a null prototype, but a caller's object may not. */
function claimOf(token: VerifiedToken, name: string): unknown {
  const { claims } = token
  return Object.hasOwn(claims, name) ? claims[name] : undefined
}

/** The fixed `invalid_claim`: neither the claim's name nor its value reaches the client. */
function refusal(token: VerifiedToken, challenge?: ChallengeOptions, cause?: unknown) {
  return new KeywardError('invalid_claim', {
    challenge: scopePolicyOf(token)?.challenge ?? challenge,
    cause,
  })
}

function claimName(name: unknown, caller: string): void {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${caller} needs a claim name (a non-empty string)`)
  }
}

function claimValue(value: unknown, caller: string, which: string): void {
  const ok =
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  if (!ok) {
    throw new TypeError(`${caller} "${which}" must be a string, a finite number or a boolean`)
  }
}
