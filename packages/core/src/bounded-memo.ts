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

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get(key: string): Value | undefined {
    return this.#entries.get(key)
  }

  remember(key: string, value: Value): void {
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear()
    this.#entries.set(key, value)
  }

  get size(): number {
    return this.#entries.size
  }
}
