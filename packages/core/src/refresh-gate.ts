import { backoffDelay, type BackoffPolicy } from './backoff.js'
import type { RefreshBudget } from './refresh-budget.js'

export interface RefreshGateSettings {
  readonly cooldownMs: number
  readonly backoff: BackoffPolicy
  /** Shared by every issuer of a verifier. */
  readonly budget: RefreshBudget
  readonly random: () => number
}

/**
 * When one issuer's key source may go to the network, apart from its planned refreshes: the
 * failure count and exponential backoff (negative caching), a server's `Retry-After`, the
 * unknown-`kid` cooldown and the shared refresh budget. A penalty box in the manner of
 * aws-jwt-verify's: it holds no keys and does no I/O; every answer reads the time it is given.
 *
 * @example
 * ```ts
 * const gate = new RefreshGate({ cooldownMs: 30_000, backoff, budget, random: Math.random })
 * if (gate.mayRefreshForUnknownKid(now)) await fetchKeys()
 * ```
 */
export class RefreshGate {
  readonly #settings: RefreshGateSettings
  #failures = 0
  #nextAttemptAt = 0
  /** Until when the server asked us not to call (429/503 `Retry-After`). */
  #serverRetryAt = 0
  #lastUnknownKidRefreshAt = Number.NEGATIVE_INFINITY

  constructor(settings: RefreshGateSettings) {
    this.#settings = settings
  }

  /** Consecutive failed fetches; 0 after a success. */
  get failures(): number {
    return this.#failures
  }

  /** Whether the last fetch failed, so the next one is a retry paced by the backoff. */
  get failing(): boolean {
    return this.#failures > 0
  }

  /** Epoch milliseconds before which no retry may start (0 when not failing). */
  get nextAttemptAt(): number {
    return this.#nextAttemptAt
  }

  /** Negative caching: during backoff nobody fetches, everybody gets a quick 503. */
  inBackoff(nowMs: number): boolean {
    return nowMs < this.#nextAttemptAt
  }

  /** How long until the next attempt may start, for `Retry-After`. */
  retryInMs(nowMs: number): number {
    return Math.max(0, this.#nextAttemptAt - nowMs)
  }

  succeeded(): void {
    this.#failures = 0
    this.#nextAttemptAt = 0
  }

  /** Records a failed fetch; returns the delay before the next attempt. */
  failed(nowMs: number, retryAfterMs: number | undefined): number {
    this.#failures++
    const delay = backoffDelay(
      this.#settings.backoff,
      this.#failures,
      this.#settings.random,
      retryAfterMs,
    )
    this.#nextAttemptAt = nowMs + delay
    this.#serverRetryAt = nowMs + Math.min(retryAfterMs ?? 0, this.#settings.backoff.maxDelayMs)
    return delay
  }

  /**
   * Whether a token naming an unknown key id may refresh while fetches succeed: once per
   * cooldown, within the budget. The cooldown counts unknown-kid refreshes only: a scheduled
   * fetch just before a rotation must not lock the new key out. Records the refresh when allowed.
   */
  mayRefreshForUnknownKid(nowMs: number): boolean {
    if (nowMs - this.#lastUnknownKidRefreshAt < this.#settings.cooldownMs) return false
    if (!this.#settings.budget.take(nowMs)) return false
    this.#lastUnknownKidRefreshAt = nowMs
    return true
  }

  /**
   * Whether a token naming an unknown key id may probe a failing endpoint before the backoff
   * ends. Exponential backoff paces background retries up to 5 minutes apart; a new kid during
   * an outage may be the rotation that ends it, so it may probe once per cooldown, within the
   * budget and any server `Retry-After`: recovery within a cooldown, and still never a fetch per
   * request. Records the probe when allowed.
   */
  mayProbeForUnknownKid(nowMs: number): boolean {
    if (
      nowMs < this.#serverRetryAt ||
      nowMs - this.#lastUnknownKidRefreshAt < this.#settings.cooldownMs ||
      !this.#settings.budget.take(nowMs)
    ) {
      return false
    }
    this.#lastUnknownKidRefreshAt = nowMs
    return true
  }
}
