/**
 * A token bucket shared by every issuer of a verifier: unknown-`kid` refreshes spend from it, so a
 * flood of forged key ids across many issuers cannot turn into a flood of JWKS fetches.
 */
export class RefreshBudget {
  readonly #capacity: number
  readonly #windowMs: number
  #tokens: number
  #updatedAt: number | undefined

  constructor(capacity: number, windowMs: number) {
    this.#capacity = capacity
    this.#windowMs = windowMs
    this.#tokens = capacity
  }

  /** Spends one refresh if available. */
  take(nowMs: number): boolean {
    if (this.#updatedAt !== undefined) {
      const refill = ((nowMs - this.#updatedAt) / this.#windowMs) * this.#capacity
      this.#tokens = Math.min(this.#capacity, this.#tokens + Math.max(0, refill))
    }
    // A clock stepping backwards must not earn the same interval twice.
    this.#updatedAt = Math.max(nowMs, this.#updatedAt ?? nowMs)
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
