import type { VerificationKey } from './jwk-import.js'
import type { VerifiedToken } from './verified-token.js'

export interface CachedVerification<Issuer> {
  readonly auth: VerifiedToken
  readonly key: VerificationKey
  readonly issuer: Issuer
}

interface Slot<Issuer> {
  entry: CachedVerification<Issuer>
  /** Used since it was last inserted or passed over: it gets a second chance at eviction. */
  used: boolean
}

/**
 * Successful verifications, keyed by the exact token string. Bounded, with second-chance
 * eviction (an approximation of least-recently-used that costs a flag write per hit instead of
 * a re-insertion): when full, the oldest entry goes unless it was used since, in which case it
 * moves to the back. The tokens that carry the traffic stay; one-off tokens age out first. The
 * caller re-checks time claims and the key on every hit, so an entry can never outlive its
 * token or its key.
 */
export class VerifiedTokenCache<Issuer> {
  readonly #slots = new Map<string, Slot<Issuer>>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get(token: string): CachedVerification<Issuer> | undefined {
    const slot = this.#slots.get(token)
    if (slot === undefined) return undefined
    slot.used = true
    return slot.entry
  }

  set(token: string, entry: CachedVerification<Issuer>): void {
    if (this.#maxEntries === 0) return
    const slot = this.#slots.get(token)
    if (slot !== undefined) {
      slot.entry = entry
      slot.used = true
      return
    }
    if (this.#slots.size >= this.#maxEntries) this.#evictOne()
    this.#slots.set(token, { entry, used: false })
  }

  delete(token: string): void {
    this.#slots.delete(token)
  }

  get size(): number {
    return this.#slots.size
  }

  /** Terminates: every entry passed over loses its flag, so a full lap finds a victim. */
  #evictOne(): void {
    for (const [token, slot] of this.#slots) {
      this.#slots.delete(token)
      if (!slot.used) return
      slot.used = false
      this.#slots.set(token, slot)
    }
  }
}
