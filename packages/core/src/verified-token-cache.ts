import type { VerificationKey } from './jwk-import.js'
import type { VerifiedToken } from './verified-token.js'

export interface CachedVerification<Issuer> {
  readonly auth: VerifiedToken
  readonly key: VerificationKey
  readonly issuer: Issuer
}

/**
 * Successful verifications, keyed by the exact token string. Bounded: when full, the least
 * recently used entry goes, so the tokens that carry the traffic stay while one-off tokens age
 * out first. The caller re-checks time claims and the key on every hit, so an entry can never
 * outlive its token or its key.
 */
export class VerifiedTokenCache<Issuer> {
  readonly #entries = new Map<string, CachedVerification<Issuer>>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get(token: string): CachedVerification<Issuer> | undefined {
    const entry = this.#entries.get(token)
    if (entry !== undefined) {
      // A Map iterates in insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(token)
      this.#entries.set(token, entry)
    }
    return entry
  }

  set(token: string, entry: CachedVerification<Issuer>): void {
    if (this.#maxEntries === 0) return
    this.#entries.delete(token)
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, entry)
  }

  delete(token: string): void {
    this.#entries.delete(token)
  }

  get size(): number {
    return this.#entries.size
  }
}
