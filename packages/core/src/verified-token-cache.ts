import type { VerificationKey } from './jwk-import.js'
import type { VerifiedToken } from './verified-token.js'

export interface CachedVerification<Issuer> {
  readonly auth: VerifiedToken
  readonly key: VerificationKey
  readonly issuer: Issuer
}

/** V8 copies substrings shorter than 13 characters instead of pointing into the original. */
const FINGERPRINT_LENGTH = 12

interface Slot<Issuer> {
  entry: CachedVerification<Issuer>
  /** Used since it was last inserted or passed over: it gets a second chance at eviction. */
  used: boolean
}

/**
 * Successful verifications, keyed by the exact token string. Bounded, with second-chance
 * eviction (an approximation of least-recently-used that costs a flag write per hit instead of
 * a re-insertion): when full, the oldest entry goes unless it was used since, in which case it
 * moves to the back. A token is admitted on its second verification: the first leaves only a
 * short fingerprint, so tokens seen once (a stream of distinct tokens, a flood) cost no entry
 * and never push out the tokens that carry the traffic. The caller re-checks time claims and
 * the key on every hit, so an entry can never outlive its token or its key.
 */
export class VerifiedTokenCache<Issuer> {
  readonly #slots = new Map<string, Slot<Issuer>>()
  readonly #maxEntries: number
  /** Fingerprints of tokens verified once and not cached yet. */
  readonly #seenOnce = new Set<string>()

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
    if (!this.#seenBefore(token)) return
    if (this.#slots.size >= this.#maxEntries) this.#evictOne()
    this.#slots.set(token, { entry, used: false })
  }

  delete(token: string): void {
    this.#slots.delete(token)
  }

  get size(): number {
    return this.#slots.size
  }

  /**
   * Whether the token was verified before; remembers it otherwise. The fingerprint is the last
   * 12 characters, inside the signature: 72 bits, copied rather than a view that would keep the
   * whole token alive. A collision only admits a token one verification early.
   */
  #seenBefore(token: string): boolean {
    const fingerprint = token.slice(-FINGERPRINT_LENGTH)
    if (this.#seenOnce.delete(fingerprint)) return true
    if (this.#seenOnce.size >= this.#maxEntries) this.#seenOnce.clear()
    this.#seenOnce.add(fingerprint)
    return false
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
