/**
 * A circuit breaker for one dependency: after `failureThreshold` consecutive failures it opens
 * for `cooldownMs`, and calls fail at once instead of each waiting out its own timeout (an
 * unreachable Redis must not turn every request into a `timeoutMs` wait: the latency cliff).
 * After the cooldown one trial call goes through (half-open); its success closes the circuit,
 * its failure opens it again. The clock is injected, so the policy is tested without Redis.
 */
export class Circuit {
  readonly #failureThreshold: number
  readonly #cooldownMs: number
  readonly #now: () => number
  #failures = 0
  #openUntil = 0
  #trialInFlight = false

  constructor(failureThreshold: number, cooldownMs: number, now: () => number) {
    this.#failureThreshold = failureThreshold
    this.#cooldownMs = cooldownMs
    this.#now = now
  }

  /**
   * Whether a call may go out now: `0` if so, else the milliseconds until one may (the
   * `Retry-After` of the refusal).
   */
  waitMs(): number {
    if (this.#failures < this.#failureThreshold) return 0
    const left = this.#openUntil - this.#now()
    if (left > 0) return left
    // Half-open: one trial at a time; the others keep failing fast until it answers.
    if (this.#trialInFlight) return 1
    this.#trialInFlight = true
    return 0
  }

  /** Records an answer; `true` when it closed an open circuit. */
  succeeded(): boolean {
    const wasOpen = this.#failures >= this.#failureThreshold
    this.#failures = 0
    this.#trialInFlight = false
    return wasOpen
  }

  /** Records a failure; `true` when it opened the circuit (or re-opened it after a trial). */
  failed(): boolean {
    this.#trialInFlight = false
    this.#failures++
    if (this.#failures < this.#failureThreshold) return false
    this.#openUntil = this.#now() + this.#cooldownMs
    return true
  }

  /** Whether calls are being refused without trying. */
  get open(): boolean {
    return this.#failures >= this.#failureThreshold
  }
}
