/**
 * A map bounded in entries that evicts the least recently used first. A `Map` keeps insertion
 * order, so a hit re-inserts its entry at the back and the front is always the coldest. Entries
 * for which `keep` answers true are passed over (and moved to the back), so the map may hold
 * more than `capacity` of them; `evict` hears about every entry that leaves because of the
 * bound, never about an explicit `delete`.
 *
 * @example
 * ```ts
 * const lru = new LruMap<string, Runtime>(100, { evict: (key, runtime) => runtime.close() })
 * lru.set(issuer, runtime) // the 101st evicts the coldest
 * lru.get(issuer) // now the most recently used
 * ```
 */
export class LruMap<Key, Value> {
  readonly #entries = new Map<Key, Value>()
  readonly #capacity: number
  readonly #evict: (key: Key, value: Value) => void
  readonly #keep: (value: Value) => boolean

  constructor(
    capacity: number,
    hooks: {
      readonly evict: (key: Key, value: Value) => void
      readonly keep?: (value: Value) => boolean
    },
  ) {
    this.#capacity = capacity
    this.#evict = hooks.evict
    this.#keep = hooks.keep ?? (() => false)
  }

  /** The value, now the most recently used. */
  get(key: Key): Value | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  /** The value, without counting as a use. */
  peek(key: Key): Value | undefined {
    return this.#entries.get(key)
  }

  /** Adds an entry as the most recently used, then evicts down to the capacity. */
  set(key: Key, value: Value): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    // The new entry is the newest, so with a capacity of at least 1 it is never the one evicted.
    let candidates = this.#entries.size - 1
    while (this.#entries.size > this.#capacity && candidates-- > 0) {
      // The loop runs while the map holds more entries than a capacity of at least 1.
      const first = this.#entries.entries().next().value
      if (first === undefined) break
      const [oldestKey, oldest] = first
      this.#entries.delete(oldestKey)
      if (this.#keep(oldest)) {
        // Passed over: to the back; `candidates` ends the loop after one round of kept entries.
        this.#entries.set(oldestKey, oldest)
        continue
      }
      this.#evict(oldestKey, oldest)
    }
  }

  delete(key: Key): boolean {
    return this.#entries.delete(key)
  }

  get size(): number {
    return this.#entries.size
  }

  values(): IterableIterator<Value> {
    return this.#entries.values()
  }
}
