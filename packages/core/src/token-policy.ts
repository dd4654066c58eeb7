import { KeywardError } from './errors.js'
import { clip, type EventSink } from './events.js'
import { askHook, type HookAnswer, type HookFailure } from './hook-answer.js'
import type { ValidateToken } from './hook-options.js'
import type { VerifiedToken } from './verified-token.js'

/** The hooks of one verifier, validated. */
export interface TokenPolicyOptions {
  readonly validate: ValidateToken | undefined
  readonly timeoutMs: number
  readonly events: EventSink
}

/**
 * The verifier's own rules on a token whose signature and standard claims passed: the
 * `validate` hook. Asked on every verification, verified-token cache hits included, so a token
 * enters the cache only after it passed and a cached token is never accepted without it.
 */
export class TokenPolicy {
  readonly #validate: ValidateToken | undefined
  readonly #timeoutMs: number
  readonly #events: EventSink

  constructor(options: TokenPolicyOptions) {
    this.#validate = options.validate
    this.#timeoutMs = options.timeoutMs
    this.#events = options.events
  }

  /**
   * Returns `undefined` when the token passes at once, a promise when a hook answers later;
   * throws (or rejects with) the `KeywardError` the request gets.
   */
  judge(token: VerifiedToken): undefined | Promise<void> {
    const validate = this.#validate
    if (validate === undefined) return undefined
    const answer = askHook('validate', validate, token, this.#timeoutMs)
    if (!(answer instanceof Promise)) {
      this.#validated(answer, token)
      return undefined
    }
    return answer.then((settled) => {
      this.#validated(settled, token)
    })
  }

  #validated(answer: HookAnswer, token: VerifiedToken): void {
    if (answer === true) return
    if (answer !== false) this.#failed(answer, token)
    throw new KeywardError('invalid_claim', {
      cause: answer === false ? undefined : answer,
    })
  }

  #failed(failure: HookFailure, token: VerifiedToken): void {
    if (!this.#events.wants('token_hook_failed')) return
    const { claims } = token
    this.#events.emit({
      type: 'token_hook_failed',
      hook: 'validate',
      reason: failure.reason,
      issuer: token.issuer,
      jti: clip(claims.jti),
      clientId: clip(token.clientId),
    })
  }
}
