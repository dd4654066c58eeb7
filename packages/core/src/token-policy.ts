import { KeywardError } from './errors.js'
import { clip, type EventSink } from './events.js'
import { askHook, type HookAnswer, type HookFailure } from './hook-answer.js'
import type { IsRevoked, ValidateToken } from './hook-options.js'
import type { VerifiedToken } from './verified-token.js'

/** The hooks of one verifier, validated. */
export interface TokenPolicyOptions {
  readonly validate: ValidateToken | undefined
  readonly isRevoked: IsRevoked | undefined
  readonly timeoutMs: number
  /** `Retry-After` of `revocation_unavailable`. */
  readonly revocationRetryAfterMs: number
  readonly events: EventSink
}

type HookName = 'validate' | 'isRevoked'

/**
 * The verifier's own rules on a token whose signature and standard claims passed: the
 * `validate` hook, then the `isRevoked` hook. Asked on every verification, verified-token cache
 * hits included, so a token enters the cache only after both passed and a cached token is never
 * accepted without them.
 */
export class TokenPolicy {
  readonly #validate: ValidateToken | undefined
  readonly #isRevoked: IsRevoked | undefined
  readonly #timeoutMs: number
  readonly #retryAfterMs: number
  readonly #events: EventSink

  constructor(options: TokenPolicyOptions) {
    this.#validate = options.validate
    this.#isRevoked = options.isRevoked
    this.#timeoutMs = options.timeoutMs
    this.#retryAfterMs = options.revocationRetryAfterMs
    this.#events = options.events
  }

  /**
   * Returns `undefined` when the token passes at once, a promise when a hook answers later;
   * throws (or rejects with) the `KeywardError` the request gets.
   */
  judge(token: VerifiedToken): undefined | Promise<void> {
    const validated = this.#ask('validate', this.#validate, token)
    if (validated === undefined) return this.#ask('isRevoked', this.#isRevoked, token)
    return validated.then(() => this.#ask('isRevoked', this.#isRevoked, token))
  }

  /** Asks one hook; a synchronous answer is judged at once, with no promise. */
  #ask(
    hook: HookName,
    ask: ((token: VerifiedToken) => unknown) | undefined,
    token: VerifiedToken,
  ): undefined | Promise<void> {
    if (ask === undefined) return undefined
    const answer = askHook(hook, ask, token, this.#timeoutMs)
    if (!(answer instanceof Promise)) {
      this.#settle(hook, answer, token)
      return undefined
    }
    return answer.then((settled) => {
      this.#settle(hook, settled, token)
    })
  }

  #settle(hook: HookName, answer: HookAnswer, token: VerifiedToken): void {
    // `validate` passes a token with `true`; `isRevoked` with `false`.
    const passed = hook === 'validate'
    if (answer === passed) return
    if (typeof answer === 'boolean') {
      throw new KeywardError(hook === 'validate' ? 'invalid_claim' : 'token_revoked')
    }
    this.#failed(hook, answer, token)
    // `validate` judges the token: no answer is a no. `isRevoked` asks another service: no
    // answer is that service's outage, a 503 the client may retry (never an accept).
    throw hook === 'validate'
      ? new KeywardError('invalid_claim', { cause: answer })
      : new KeywardError('revocation_unavailable', {
          cause: answer,
          retryAfterMs: this.#retryAfterMs,
        })
  }

  #failed(hook: HookName, failure: HookFailure, token: VerifiedToken): void {
    if (!this.#events.wants('token_hook_failed')) return
    const { claims } = token
    this.#events.emit({
      type: 'token_hook_failed',
      hook,
      reason: failure.reason,
      issuer: token.issuer,
      jti: clip(claims.jti),
      clientId: clip(token.clientId),
    })
  }
}
