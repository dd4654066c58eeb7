import type { VerificationKey } from './jwk-import.js'
import type { VerifiedToken } from './verified-token.js'

export interface CachedVerification<Issuer> {
  readonly auth: VerifiedToken
  readonly key: VerificationKey
  readonly issuer: Issuer
}

/** Characters at the end of the token a fingerprint is made of: ~32 bits of signature. */
const FINGERPRINT_CHARACTERS = 6

interface Slot<Issuer> {
  /** The exact token: a fingerprint match is a hit only when the whole token is equal. */
  readonly token: string
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
 *
 * Slots are keyed by the token's fingerprint, a small integer, not the token: a Map lookup hashes
 * its whole key, and every request brings a fresh string, so keying by a ~700-character token
 * cost a hash of every character on every lookup, hit or miss (and a string key, a copy of the
 * token's tail per lookup, which the seen-once set kept alive long enough to reach the old
 * generation). A hit still compares the whole token, so two tokens sharing a fingerprint never
 * share an entry (the later one replaces the earlier).
 */
export class VerifiedTokenCache<Issuer> {
  readonly #slots = new Map<number, Slot<Issuer>>()
  readonly #maxEntries: number
  /** Fingerprints of tokens verified once and not cached yet. */
  readonly #seenOnce = new Set<number>()

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get(token: string): CachedVerification<Issuer> | undefined {
    if (this.#slots.size === 0) return undefined
    const slot = this.#slots.get(fingerprintOf(token))
    if (slot?.token !== token) return undefined
    slot.used = true
    return slot.entry
  }

  /** Whether the exact token is cached, without marking it used. */
  has(token: string): boolean {
    return this.#slots.size !== 0 && this.#slots.get(fingerprintOf(token))?.token === token
  }

  set(token: string, entry: CachedVerification<Issuer>): void {
    if (this.#maxEntries === 0) return
    const fingerprint = fingerprintOf(token)
    const slot = this.#slots.get(fingerprint)
    if (slot?.token === token) {
      slot.entry = entry
      slot.used = true
      return
    }
    if (!this.#seenBefore(fingerprint)) return
    if (slot === undefined && this.#slots.size >= this.#maxEntries) this.#evictOne()
    this.#slots.set(fingerprint, { token, entry, used: false })
  }

  delete(token: string): void {
    const fingerprint = fingerprintOf(token)
    if (this.#slots.get(fingerprint)?.token === token) this.#slots.delete(fingerprint)
  }

  get size(): number {
    return this.#slots.size
  }

  /**
   * Whether a token with this fingerprint was verified before; remembers it otherwise. A
   * collision only admits a token one verification early.
   */
  #seenBefore(fingerprint: number): boolean {
    if (this.#seenOnce.delete(fingerprint)) return true
    if (this.#seenOnce.size >= this.#maxEntries) this.#seenOnce.clear()
    this.#seenOnce.add(fingerprint)
    return false
  }

  /** Terminates: every entry passed over loses its flag, so a full lap finds a victim. */
  #evictOne(): void {
    for (const [fingerprint, slot] of this.#slots) {
      this.#slots.delete(fingerprint)
      if (!slot.used) return
      slot.used = false
      this.#slots.set(fingerprint, slot)
    }
  }
}

/**
 * The last six characters folded into a small integer (a V8 Smi: no allocation, a cheap hash):
 * ~32 bits an issuer's signature makes unpredictable. Only verified tokens are stored, so a
 * chosen collision gains a forger nothing; a natural one replaces an entry or admits a token one
 * verification early.
 */
function fingerprintOf(token: string): number {
  let fingerprint = 0
  for (let i = Math.max(0, token.length - FINGERPRINT_CHARACTERS); i < token.length; i++) {
    fingerprint = (Math.imul(fingerprint, 31) + token.charCodeAt(i)) | 0
  }
  return fingerprint & 0x3fff_ffff
}
