/** The configured bounds on how long a fetched document (keys or metadata) is fresh. */
export interface FreshnessBounds {
  /** Freshness when the response says nothing (no usable `Cache-Control`). */
  readonly cacheMaxAgeMs: number
  /** Bounds applied to any freshness, from headers or not. */
  readonly cacheFloorMs: number
  readonly cacheCeilingMs: number
}

/**
 * How long a response is fresh: what its headers ask for (RFC 9111, `freshnessFromHeaders`), or
 * `cacheMaxAgeMs` when they say nothing, clamped to `[cacheFloorMs, cacheCeilingMs]`. The floor
 * keeps a hostile or careless `no-store` from turning every request into a fetch; the ceiling
 * makes removed keys noticed.
 *
 * @example
 * ```ts
 * clampFreshness({ cacheMaxAgeMs: 600_000, cacheFloorMs: 60_000, cacheCeilingMs: 3_600_000 }, 0)
 * // 60000
 * ```
 */
export function clampFreshness(bounds: FreshnessBounds, freshnessMs: number | undefined): number {
  return Math.min(
    bounds.cacheCeilingMs,
    Math.max(bounds.cacheFloorMs, freshnessMs ?? bounds.cacheMaxAgeMs),
  )
}

export interface FreshnessWindowSettings extends FreshnessBounds {
  /** How long past its freshness a document is still used while refreshes fail. */
  readonly maxStaleMs: number
  readonly random: () => number
}

/**
 * The life of one fetched document, renewed by each successful fetch: fresh until
 * `freshUntil`, refreshed ahead of that at `refreshAt`, stale (last-known-good) after it, and
 * unusable from `usableUntil`. Also tracks when the current stale period began, so that each
 * period is reported once. Holds times only; every answer reads the time it is given.
 *
 * @example
 * ```ts
 * const window = new FreshnessWindow({ ...bounds, maxStaleMs: 86_400_000, random: Math.random })
 * window.renew(now, response.freshnessMs)
 * if (window.refreshDue(now)) void refresh()
 * ```
 */
export class FreshnessWindow {
  readonly #settings: FreshnessWindowSettings
  #freshUntil = 0
  #refreshAt = 0
  #usableUntil = 0
  #staleSince: number | undefined

  constructor(settings: FreshnessWindowSettings) {
    this.#settings = settings
  }

  get freshUntil(): number {
    return this.#freshUntil
  }

  /** When a background refresh is planned. */
  get refreshAt(): number {
    return this.#refreshAt
  }

  /** When the current stale period began, if the document is stale. */
  get staleSince(): number | undefined {
    return this.#staleSince
  }

  /**
   * Starts a new window at a successful fetch; returns the freshness granted. The refresh is
   * planned at a jittered point in the last quarter of the lifetime, so requests never wait for
   * it and a fleet does not refresh in lockstep.
   */
  renew(nowMs: number, freshnessMs: number | undefined): number {
    const freshForMs = clampFreshness(this.#settings, freshnessMs)
    this.#freshUntil = nowMs + freshForMs
    this.#refreshAt = nowMs + freshForMs * (0.75 + 0.2 * this.#settings.random())
    this.#usableUntil = this.#freshUntil + this.#settings.maxStaleMs
    return freshForMs
  }

  isFresh(nowMs: number): boolean {
    return nowMs < this.#freshUntil
  }

  /** Fresh, or stale for less than `maxStaleMs`. */
  isUsable(nowMs: number): boolean {
    return nowMs < this.#usableUntil
  }

  refreshDue(nowMs: number): boolean {
    return nowMs >= this.#refreshAt
  }

  /** How long the document has been served past its freshness (0 when fresh). */
  staleForMs(nowMs: number): number {
    return Math.max(0, nowMs - this.#freshUntil)
  }

  /**
   * Marks the start of a stale period the first time it is noticed; returns when it began, or
   * `undefined` when the document is fresh or the period was already noticed.
   */
  noticeStale(nowMs: number): number | undefined {
    if (nowMs < this.#freshUntil || this.#staleSince !== undefined) return undefined
    this.#staleSince = this.#freshUntil
    return this.#staleSince
  }

  /**
   * Ends the current stale period, if any; returns how long it lasted at `nowMs`. A period
   * never noticed (the document expired unobserved) is counted from the end of freshness when
   * `orFromFreshness` is set.
   */
  endStale(nowMs: number, orFromFreshness = false): number | undefined {
    const since = this.#staleSince ?? (orFromFreshness ? this.#freshUntil : undefined)
    this.#staleSince = undefined
    return since === undefined ? undefined : nowMs - since
  }
}
