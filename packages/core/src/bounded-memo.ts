/**
 * A small map for values derived from strings that repeat across tokens (the header segment,
 * the `scope` string, the `aud` string): machine clients send the same few on every request.
 * Bounded, and cleared when full rather than evicting one by one: the working set refills in a
 * few requests, and a flood of one-off keys costs nothing but the misses. Callers remember a
 * value only once its token is verified, so unsigned input cannot fill it.
 */
export class BoundedMemo<Value> {
  readonly #entries = new Map<string, Value>()
  readonly #maxEntries: number
  /**
   * The entry found last, compared before the map: a request's key is a fresh string, which a
   * Map lookup must hash in full, while an equality test with the usual key stops at a mismatch
   * and needs no hash.
   */
  #lastKey: string | undefined
  #lastValue: Value | undefined

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get(key: string): Value | undefined {
    if (key === this.#lastKey) return this.#lastValue
    const value = this.#entries.get(key)
    if (value !== undefined) {
      this.#lastKey = key
      this.#lastValue = value
    }
    return value
  }

  remember(key: string, value: Value): void {
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear()
    this.#entries.set(key, value)
    this.#lastKey = key
    this.#lastValue = value
  }

  get size(): number {
    return this.#entries.size
  }
}
