import type { BackoffPolicy } from './backoff.js'
import { KeywardError } from './errors.js'
import { clip, clipUrl, MAX_KEY_DROP_EVENTS, type EventSink, type FetchCause } from './events.js'
import { FetchFailure, fetchJson, type FetchFunction } from './fetch-json.js'
import { FreshnessWindow } from './freshness-window.js'
import type { KeyDropReason, VerificationKey } from './jwk-import.js'
import { buildKeySet, diffKeySets, type DroppedKey, type KeySet } from './key-set.js'
import type { RefreshBudget } from './refresh-budget.js'
import { RefreshGate } from './refresh-gate.js'

/** Resolved settings of one issuer's key source. */
export interface KeySourceSettings {
  readonly issuer: string
  /** The JWKS URL, or a function that discovers it (issuer metadata). */
  readonly jwksUri: string | ((signal: AbortSignal) => Promise<string>)
  readonly fetch: FetchFunction
  /** The configured request headers that may go to a URL (see `scopedFetchHeaders`). */
  readonly headers: (url: string) => Readonly<Record<string, string>>
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly maxKeys: number
  /** Freshness when the response has no usable `Cache-Control`. */
  readonly cacheMaxAgeMs: number
  /** Bounds applied to any freshness, from headers or not. */
  readonly cacheFloorMs: number
  readonly cacheCeilingMs: number
  readonly cooldownMs: number
  readonly maxStaleMs: number
  readonly backoff: BackoffPolicy
  readonly budget: RefreshBudget
  readonly events: EventSink
  readonly now: () => number
  readonly random: () => number
}

/** Where one issuer's keys stand; part of `verifier.health()`. */
export interface KeySourceHealth {
  readonly issuer: string
  readonly jwksUri: string | undefined
  /**
   * `fresh`: keys within their cache lifetime. `stale`: past it, served as last-known-good while
   * refreshes fail. `unavailable`: no usable keys (never fetched, or stale beyond `maxStaleMs`).
   */
  readonly state: 'fresh' | 'stale' | 'unavailable'
  readonly keyIds: readonly string[]
  readonly keyCount: number
  /** Epoch milliseconds of the last successful fetch (200 or 304). */
  readonly fetchedAt: number | undefined
  /** How long keys have been served past their freshness, in milliseconds (0 when fresh). */
  readonly staleForMs: number
  readonly lastError: string | undefined
  readonly consecutiveFailures: number
  /** Epoch milliseconds of the next planned fetch (refresh or retry), if any. */
  readonly nextFetchAt: number | undefined
}

type LookupOutcome = KeySet | undefined

/**
 * One issuer's JWKS: single-flight fetches, background refresh ahead of expiry
 * (stale-while-revalidate), last-known-good during outages and the events that report them. It
 * composes the policies that decide when: a {@link FreshnessWindow} (HTTP-cache-aware
 * freshness), a {@link RefreshGate} (backoff, `Retry-After`, unknown-kid cooldown and budget)
 * and {@link diffKeySets} (what a refetch changed). All decisions read the injected clock, so the
 * timer is only a nudge: any request past a due time starts the same refresh.
 */
export class JwksKeySource {
  readonly #settings: KeySourceSettings
  readonly #closer = new AbortController()
  readonly #window: FreshnessWindow
  readonly #gate: RefreshGate
  #set: KeySet | undefined
  /** The keys of `#set`, for O(1) "is this cached verification's key still published". */
  #active = new Set<VerificationKey>()
  #resolvedUri: string | undefined
  #fetchedAt: number | undefined
  #etag: string | undefined
  #lastModified: string | undefined
  #inflight: Promise<void> | undefined
  /** Fetches started so far; the in-flight one, if any, is number `#fetchesStarted`. */
  #fetchesStarted = 0
  #lastFailure: FetchFailure | undefined
  #timer: NodeJS.Timeout | undefined
  #started = false

  constructor(settings: KeySourceSettings) {
    this.#settings = settings
    this.#resolvedUri = typeof settings.jwksUri === 'string' ? settings.jwksUri : undefined
    this.#window = new FreshnessWindow(settings)
    this.#gate = new RefreshGate(settings)
  }

  /**
   * The usable key set right now, without waiting. Starts a background refresh when one is due;
   * the caller never waits for it (stale-while-revalidate).
   */
  current(): KeySet | undefined {
    const now = this.#settings.now()
    if (this.#set === undefined) return undefined
    if (!this.#window.isUsable(now)) {
      this.#expire(now)
      return undefined
    }
    const staleSince = this.#window.noticeStale(now)
    if (staleSince !== undefined) {
      this.#emitIfWanted('jwks_stale_begin', () => ({
        type: 'jwks_stale_begin',
        ...this.#ids(),
        staleSince,
      }))
    }
    if (this.#inflight === undefined && this.#due(now)) {
      void this.#refresh(this.#gate.failing ? 'retry' : 'scheduled')
    }
    return this.#set
  }

  /** A usable key set, fetching one if none is cached; `jwks_unavailable` if that fails. */
  async require(cause: FetchCause = 'initial'): Promise<KeySet> {
    const cached = this.current()
    if (cached !== undefined) return cached
    if (this.#inflight === undefined) {
      const now = this.#settings.now()
      // Negative caching: during backoff nobody fetches, everybody gets a quick 503.
      if (this.#gate.inBackoff(now)) throw this.#unavailable(now)
      void this.#refresh(this.#gate.failing ? 'retry' : cause)
    }
    await this.#inflight
    const fetched = this.current()
    if (fetched === undefined) throw this.#unavailable(this.#settings.now())
    return fetched
  }

  /**
   * A token names a key id (`undefined`: a token without one) the set does not have. Refresh
   * once, shared by every request asking at the same time, at most once per cooldown and within
   * the global budget; returns the set to retry the lookup in, or `undefined` when no refresh
   * was allowed (no network I/O then). Throws `jwks_unavailable` when refreshes are failing: the
   * cached set cannot say whether the key exists, so "invalid token" would be a guess.
   */
  async refreshForUnknownKid(kid: string | undefined): Promise<LookupOutcome> {
    const arrivedAfter = this.#fetchesStarted
    const seen = this.#set
    for (;;) {
      if (this.#inflight !== undefined) {
        // A fetch that began after this token arrived answers for it. One that began before
        // may predate the key's publication (a scheduled refresh racing a rotation), so if it
        // does not bring the key, the token still gets its own, rate-limited, refresh.
        const answersThisToken = this.#fetchesStarted > arrivedAfter
        await this.#inflight
        const set = this.current()
        if (set !== undefined && (kid === undefined ? set !== seen : set.byKid.has(kid))) {
          return set
        }
        if (answersThisToken) return this.#afterRefresh(set)
        continue
      }
      const now = this.#settings.now()
      if (this.#gate.failing) {
        if (!this.#gate.inBackoff(now)) {
          // A retry is due anyway; it answers this token too. Backoff, not the cooldown, paces
          // retries, so a token is never refused as unknown just because the last fetch failed.
          await this.#refresh('retry')
          return this.#afterRefresh(this.current())
        }
        if (this.#closer.signal.aborted || !this.#gate.mayProbeForUnknownKid(now)) {
          throw this.#unavailable(now)
        }
        await this.#refresh('unknown_kid')
        return this.#afterRefresh(this.current())
      }
      if (this.#closer.signal.aborted || !this.#gate.mayRefreshForUnknownKid(now)) return undefined
      await this.#refresh('unknown_kid')
      return this.#afterRefresh(this.current())
    }
  }

  /**
   * Whether a key is still in the current usable set (for cached verifications). Like
   * `current()`, it starts a due refresh, so traffic served from the verified-token cache keeps
   * the keys revalidated too.
   */
  isActive(key: VerificationKey): boolean {
    return this.current() !== undefined && this.#active.has(key)
  }

  /** Fetches now unless keys are fresh; resolves when usable keys are present, else throws. */
  async warmup(): Promise<void> {
    const now = this.#settings.now()
    if (this.#set !== undefined && this.#window.isFresh(now)) return
    if (this.#inflight === undefined) void this.#refresh('warmup')
    await this.#inflight
    if (this.current() === undefined) throw this.#unavailable(this.#settings.now())
  }

  health(): KeySourceHealth {
    const now = this.#settings.now()
    const usable = this.#set !== undefined && this.#window.isUsable(now)
    const keys = usable ? (this.#set?.keys ?? []) : []
    return {
      issuer: this.#settings.issuer,
      jwksUri: this.#resolvedUri === undefined ? undefined : clipUrl(this.#resolvedUri),
      state: !usable ? 'unavailable' : this.#window.isFresh(now) ? 'fresh' : 'stale',
      keyIds: kidsOf(keys),
      keyCount: keys.length,
      fetchedAt: this.#fetchedAt,
      staleForMs: usable ? this.#window.staleForMs(now) : 0,
      lastError: this.#lastFailure?.reason,
      consecutiveFailures: this.#gate.failures,
      nextFetchAt: !this.#started
        ? undefined
        : this.#gate.failing
          ? this.#gate.nextAttemptAt
          : usable
            ? this.#window.refreshAt
            : undefined,
    }
  }

  /** Stops background work and aborts an in-flight fetch. */
  close(): void {
    this.#closer.abort()
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #refresh(cause: FetchCause): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight
    // After close() nothing touches the network; cached keys keep verifying until they expire.
    if (this.#closer.signal.aborted) return Promise.resolve()
    this.#started = true
    this.#fetchesStarted++
    this.#inflight = this.#fetchOnce(cause).finally(() => {
      this.#inflight = undefined
      this.#schedule()
    })
    return this.#inflight
  }

  async #fetchOnce(cause: FetchCause): Promise<void> {
    const started = this.#settings.now()
    let uri = this.#resolvedUri ?? '(discovery)'
    this.#settings.events.emit({
      type: 'jwks_fetch_start',
      issuer: this.#settings.issuer,
      jwksUri: clipUrl(uri),
      cause,
    })
    try {
      if (typeof this.#settings.jwksUri !== 'string') {
        uri = await this.#settings.jwksUri(this.#closer.signal)
        this.#resolvedUri = uri
      }
      const result = await fetchJson(uri, {
        fetch: this.#settings.fetch,
        timeoutMs: this.#settings.timeoutMs,
        maxBytes: this.#settings.maxBytes,
        headers: this.#settings.headers(uri),
        // Conditional requests only make sense while we still hold what they validate.
        etag: this.#set === undefined ? undefined : this.#etag,
        lastModified: this.#set === undefined ? undefined : this.#lastModified,
        signal: this.#closer.signal,
        now: this.#settings.now,
      })
      if (this.#closer.signal.aborted) return
      let set = this.#set
      if (result.kind === 'document') {
        const built = await buildKeySet(result.body, this.#settings.maxKeys)
        this.#reportDropped(built.dropped, uri)
        if (!built.ok) throw new FetchFailure(built.error)
        set = this.#adopt(built.set, uri)
        this.#etag = result.etag
        this.#lastModified = result.lastModified
      }
      if (set === undefined) throw new FetchFailure('invalid_shape')
      this.#succeeded(cause, set, uri, started, result.kind === 'not_modified', result.freshnessMs)
    } catch (error) {
      if (this.#closer.signal.aborted) return
      this.#failed(cause, uri, started, error)
    }
  }

  /**
   * Installs a freshly fetched set. Keys with the same fingerprint keep their old object, so
   * verifications cached under them survive; keys that disappeared stop verifying at once.
   */
  #adopt(next: KeySet, uri: string): KeySet {
    const { keys, added, removed } = diffKeySets(this.#active, next.keys)
    const byKid = new Map<string, VerificationKey>()
    for (const key of keys) if (key.kid !== undefined) byKid.set(key.kid, key)
    const active = new Set(keys)
    if (this.#set !== undefined) {
      if (added.length > 0 || removed.length > 0) {
        this.#settings.events.emit({
          type: 'jwks_keys_rotated',
          issuer: this.#settings.issuer,
          jwksUri: clipUrl(uri),
          added: kidsOf(added),
          removed: kidsOf(removed),
        })
      }
    }
    this.#active = active
    this.#set = { keys, byKid }
    return this.#set
  }

  /**
   * One `jwks_key_dropped` event per dropped key, up to {@link MAX_KEY_DROP_EVENTS} per fetch,
   * then one `jwks_key_drop_summary` counting the rest by reason: a 512 KiB body of junk entries
   * is 250,000 drops, and an event each would flood every log and dashboard.
   */
  #reportDropped(dropped: readonly DroppedKey[], uri: string): void {
    if (dropped.length === 0) return
    const jwksUri = clipUrl(uri)
    const reported = Math.min(dropped.length, MAX_KEY_DROP_EVENTS)
    for (const { index, kid, reason } of dropped.slice(0, reported)) {
      this.#settings.events.emit({
        type: 'jwks_key_dropped',
        issuer: this.#settings.issuer,
        jwksUri,
        kid: clip(kid),
        index,
        reason,
      })
    }
    if (reported === dropped.length) return
    const reasons: Partial<Record<KeyDropReason, number>> = {}
    for (const { reason } of dropped.slice(reported)) reasons[reason] = (reasons[reason] ?? 0) + 1
    this.#settings.events.emit({
      type: 'jwks_key_drop_summary',
      issuer: this.#settings.issuer,
      jwksUri,
      omitted: dropped.length - reported,
      reasons,
    })
  }

  #succeeded(
    cause: FetchCause,
    set: KeySet,
    uri: string,
    started: number,
    notModified: boolean,
    freshnessMs: number | undefined,
  ): void {
    const now = this.#settings.now()
    const freshForMs = this.#window.renew(now, freshnessMs)
    this.#set = set
    this.#fetchedAt = now
    this.#gate.succeeded()
    this.#lastFailure = undefined
    const staleForMs = this.#window.endStale(now)
    if (staleForMs !== undefined) {
      this.#settings.events.emit({
        type: 'jwks_stale_end',
        issuer: this.#settings.issuer,
        jwksUri: clipUrl(uri),
        staleForMs,
        outcome: 'recovered',
      })
    }
    this.#settings.events.emit({
      type: 'jwks_fetch_success',
      issuer: this.#settings.issuer,
      jwksUri: clipUrl(uri),
      cause,
      notModified,
      keyIds: kidsOf(set.keys),
      durationMs: now - started,
      freshForMs,
    })
  }

  #failed(cause: FetchCause, uri: string, started: number, error: unknown): void {
    const now = this.#settings.now()
    const failure =
      error instanceof FetchFailure ? error : new FetchFailure('network', { cause: error })
    const delay = this.#gate.failed(now, failure.retryAfterMs)
    this.#lastFailure = failure
    this.#settings.events.emit({
      type: 'jwks_fetch_failure',
      issuer: this.#settings.issuer,
      jwksUri: clipUrl(uri),
      cause,
      reason: failure.reason,
      httpStatus: failure.httpStatus,
      durationMs: now - started,
      consecutiveFailures: this.#gate.failures,
      retryInMs: delay,
      servingLastKnownGood: this.#set !== undefined && this.#window.isUsable(now),
    })
  }

  /** `maxStaleMs` has passed without a successful fetch: the keys are no longer trusted. */
  #expire(now: number): void {
    const uri = this.#resolvedUri ?? '(discovery)'
    this.#set = undefined
    this.#active = new Set()
    this.#etag = undefined
    this.#lastModified = undefined
    this.#settings.events.emit({
      type: 'jwks_stale_end',
      issuer: this.#settings.issuer,
      jwksUri: clipUrl(uri),
      staleForMs: this.#window.endStale(now, true) ?? 0,
      outcome: 'expired',
    })
  }

  /** Whether a refresh is due: the retry after a failure, else the planned refresh. */
  #due(now: number): boolean {
    return this.#gate.failing ? !this.#gate.inBackoff(now) : this.#window.refreshDue(now)
  }

  /** Arms one unref'd timer for the next refresh or retry; it never keeps a process alive. */
  #schedule(): void {
    if (this.#closer.signal.aborted) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    const due = this.#gate.failing
      ? this.#gate.nextAttemptAt
      : this.#set === undefined
        ? undefined
        : this.#window.refreshAt
    if (due === undefined) return
    const delay = Math.min(2 ** 31 - 1, Math.max(0, due - this.#settings.now()))
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      // A fetch in flight re-arms the timer when it settles.
      if (this.#inflight !== undefined) return
      // With an injected clock the timer may fire "early"; the clock decides.
      if (this.#settings.now() >= due)
        void this.#refresh(this.#gate.failing ? 'retry' : 'scheduled')
      else this.#schedule()
    }, delay)
    this.#timer.unref()
  }

  /** The outcome of an unknown-kid refresh: the set, or `jwks_unavailable` if it failed. */
  #afterRefresh(set: KeySet | undefined): LookupOutcome {
    if (this.#gate.failing) throw this.#unavailable(this.#settings.now())
    return set
  }

  #unavailable(now: number): KeywardError {
    return new KeywardError('jwks_unavailable', {
      retryAfterMs: this.#gate.retryInMs(now),
      cause: this.#lastFailure,
    })
  }

  #ids(): { issuer: string; jwksUri: string } {
    return { issuer: this.#settings.issuer, jwksUri: clipUrl(this.#resolvedUri ?? '(discovery)') }
  }

  #emitIfWanted(type: 'jwks_stale_begin', build: () => Parameters<EventSink['emit']>[0]): void {
    if (this.#settings.events.wants(type)) this.#settings.events.emit(build())
  }
}

/** Key ids for events and `health()`, clipped: the JWKS chose them. */
function kidsOf(keys: readonly VerificationKey[]): string[] {
  return keys.flatMap((key) => (key.kid === undefined ? [] : [clip(key.kid)]))
}
