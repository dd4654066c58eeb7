import type { KeywardError } from './errors.js'
import { clip, type EventSink, type KeywardEvent } from './events.js'
import type { VerifiedToken } from './verified-token.js'

/** One verification being reported: when it started, and whether the cache answered it. */
export interface Verification {
  /** `performance.now()` when the verification started. */
  readonly startedAt: number
  /** Set when the verified-token cache served the token. */
  cached: boolean
}

/** What a rejection reports of the token: its (unverified or verified) header and claims. */
export interface TokenParts {
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
}

type Rejection = Omit<Extract<KeywardEvent, { type: 'token_rejected' }>, 'durationMs'>

/**
 * Reports each verification's outcome once, when it settles: `token_verified` or
 * `token_rejected`, with its duration. The clock is read only when something listens (an
 * `onEvent`, a diagnostics channel subscriber), so a verifier nobody watches pays nothing.
 */
export class VerificationEvents {
  readonly #events: EventSink
  /** What each rejection reports, kept from where it was classified until it settles. */
  readonly #rejections = new WeakMap<KeywardError, Rejection>()

  constructor(events: EventSink) {
    this.#events = events
  }

  /** Starts timing a verification; `undefined` when nothing listens. */
  start(): Verification | undefined {
    if (!this.#events.wants('token_verified') && !this.#events.wants('token_rejected')) {
      return undefined
    }
    return { startedAt: performance.now(), cached: false }
  }

  /**
   * Keeps what a rejection will report: the token's issuer, kid, `jti` and client, unverified,
   * clipped (never the token or its signature).
   */
  rejected(failure: KeywardError, token: TokenParts | undefined): void {
    if (!this.#events.wants('token_rejected')) return
    const claims = token?.claims
    this.#rejections.set(failure, {
      type: 'token_rejected',
      code: failure.code,
      issuer: clip(claims?.iss),
      kid: clip(token?.header.kid),
      jti: clip(claims?.jti),
      clientId: clip(claims?.client_id ?? claims?.azp),
    })
  }

  /**
   * Runs a verification and reports how it settles. An answer given at once (a cached token,
   * keys already fetched) is reported at once and settles in one promise, as without a
   * listener.
   */
  settle<T extends VerifiedToken>(
    run: () => T | Promise<T>,
    verification: Verification | undefined,
  ): Promise<T> {
    let outcome: T | Promise<T>
    try {
      outcome = run()
    } catch (error) {
      return this.failed(error, verification)
    }
    if (!(outcome instanceof Promise)) {
      if (verification !== undefined) this.#verified(outcome, verification)
      return Promise.resolve(outcome)
    }
    if (verification === undefined) return outcome
    return outcome.then(
      (auth) => {
        this.#verified(auth, verification)
        return auth
      },
      (error: unknown) => this.failed(error, verification),
    )
  }

  /** A verification that failed: reports it, and rejects with `error`. */
  failed(error: unknown, verification: Verification | undefined): Promise<never> {
    const rejection =
      verification === undefined ? undefined : this.#rejections.get(error as KeywardError)
    if (rejection !== undefined && verification !== undefined) {
      this.#events.emit({ ...rejection, durationMs: elapsed(verification) })
    }
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the error as the verifier threw it (a KeywardError), passed on unchanged
    return Promise.reject(error)
  }

  #verified(auth: VerifiedToken, verification: Verification): void {
    this.#events.emit({
      type: 'token_verified',
      issuer: auth.issuer,
      kid: clip(auth.kid),
      cached: verification.cached,
      durationMs: elapsed(verification),
    })
  }
}

function elapsed(verification: Verification): number {
  return performance.now() - verification.startedAt
}
