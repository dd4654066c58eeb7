/**
 * A token bucket shared by every issuer of a verifier: unknown-`kid` refreshes, operator
 * refreshes and the first fetch of each tenant issuer spend from it, so a flood of forged key
 * ids or of tenants across many issuers cannot turn into a flood of JWKS fetches.
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
    this.#refill(nowMs)
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Milliseconds until one refresh is available again (0 when one is). */
  retryInMs(nowMs: number): number {
    this.#refill(nowMs)
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#capacity) * this.#windowMs)
  }

  #refill(nowMs: number): void {
    if (this.#updatedAt !== undefined) {
      const refill = ((nowMs - this.#updatedAt) / this.#windowMs) * this.#capacity
      this.#tokens = Math.min(this.#capacity, this.#tokens + Math.max(0, refill))
    }
    // A clock stepping backwards must not earn the same interval twice.
    this.#updatedAt = Math.max(nowMs, this.#updatedAt ?? nowMs)
  }
}
