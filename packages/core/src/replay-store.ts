/**
 * Remembers one-time values (DPoP proof `jti`s, single-use access-token `jti`s) for as long as
 * they could be accepted, so a second presentation is refused (RFC 9449 §11.1). A fleet shares
 * one store (`@keyward/redis`), or each instance would accept a proof another already saw.
 *
 * @example
 * ```ts
 * const store: ReplayStore = {
 *   async claim(key, expiresAt) {
 *     return (await redis.set(key, '1', { NX: true, PXAT: expiresAt })) === 'OK'
 *   },
 * }
 * ```
 */
export interface ReplayStore {
  /**
   * Claims `key` until `expiresAt` (epoch milliseconds): resolves `true` the first time, `false`
   * while an earlier claim holds. Atomic: of two concurrent claims of one key, exactly one is
   * `true`. Rejects when the store cannot answer; keyward then fails closed (503
   * `replay_store_unavailable`), honouring a numeric `retryAfterMs` on the rejection.
   */
  claim(key: string, expiresAt: number): Promise<boolean> | boolean
}

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Claims held at once. When every one is still live, a new claim is refused as unavailable
   * (503) rather than evicting a live one, which would let its value be replayed.
   * @defaultValue 100000
   */
  readonly maxEntries?: number
  /**
   * Clock in epoch milliseconds. For tests.
   * @defaultValue Date.now
   */
  readonly now?: () => number
}

/** Thrown by a full {@link MemoryReplayStore}: every held claim is still live. */
export class ReplayStoreFullError extends Error {
  override readonly name = 'ReplayStoreFullError'
  /** Until the oldest claim expires. */
  readonly retryAfterMs: number
  constructor(retryAfterMs: number) {
    super('replay store full')
    this.retryAfterMs = retryAfterMs
  }
}

/**
 * The default replay store: this process's memory, bounded. Right for one instance; behind a
 * load balancer each instance would accept a proof the others saw, so share `@keyward/redis`.
 *
 * Claims are kept in insertion order; expired ones are swept from the front on each claim
 * (amortised O(1)). Claims expire close to insertion order (each is the proof's `iat` plus a
 * fixed window), so a later-expiring claim at the front delays the sweep only briefly.
 *
 * @example
 * ```ts
 * createVerifier({ ...options, dpop: { publicBaseUrl }, replayStore: new MemoryReplayStore({ maxEntries: 50_000 }) })
 * ```
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #claims = new Map<string, number>()
  readonly #maxEntries: number
  readonly #now: () => number

  constructor(options: MemoryReplayStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('"maxEntries" must be a positive integer')
    }
    this.#maxEntries = maxEntries
    this.#now = options.now ?? Date.now
  }

  claim(key: string, expiresAt: number): boolean {
    const now = this.#now()
    const held = this.#claims.get(key)
    if (held !== undefined && held > now) return false
    if (held !== undefined) this.#claims.delete(key)
    this.#sweep(now)
    if (this.#claims.size >= this.#maxEntries) this.#sweepAll(now)
    if (this.#claims.size >= this.#maxEntries) {
      const first = this.#claims.values().next().value ?? now + 1000
      throw new ReplayStoreFullError(Math.max(1000, first - now))
    }
    this.#claims.set(key, expiresAt)
    return true
  }

  /** Claims held, expired ones not yet swept included. */
  get size(): number {
    return this.#claims.size
  }

  #sweep(now: number): void {
    for (const [key, expiresAt] of this.#claims) {
      if (expiresAt > now) return
      this.#claims.delete(key)
    }
  }

  /** Full: look past a long-lived claim at the front. */
  #sweepAll(now: number): void {
    for (const [key, expiresAt] of this.#claims) {
      if (expiresAt <= now) this.#claims.delete(key)
    }
  }
}
