import type { BackoffPolicy } from './backoff.js'
import { KeywardError } from './errors.js'
import {
  clip,
  clipUrl,
  MAX_KEY_DROP_EVENTS,
  type EventSink,
  type FetchCause,
  type KeyRemovalReason,
} from './events.js'
import {
  FetchFailure,
  fetchJson,
  type FetchFailureReason,
  type FetchFunction,
} from './fetch-json.js'
import { FreshnessWindow } from './freshness-window.js'
import type { KeyDropReason, VerificationKey } from './jwk-import.js'
import { admitKeys, isManaged, type AdmissionPolicy } from './key-admission.js'
import type { KeyDocumentProfile } from './key-document.js'
import { KeyInventory, type KeyHygiene, type TrustedKeyInfo } from './key-inventory.js'
import type { OperatorLog } from './operator-log.js'
import type { RevokedKey } from './key-revocations.js'
import { buildKeySet, type DroppedKey, type KeySet } from './key-set.js'
import type { RefreshBudget } from './refresh-budget.js'
import { RefreshGate } from './refresh-gate.js'
import { TrustedKeys, type TrustChange } from './trusted-keys.js'

/** Resolved settings of one issuer's key source. */
export interface KeySourceSettings {
  readonly issuer: string
  /** The JWKS URL, or a function that discovers it (issuer metadata). */
  readonly jwksUri: string | ((signal: AbortSignal, reread: boolean) => Promise<string>)
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
  /**
   * The first fetch spends from `budget` too (tenant issuers, created by traffic); when the
   * budget is spent, the token gets `jwks_unavailable` with the budget's `Retry-After`.
   */
  readonly firstFetchBudgeted: boolean
  /** Which published keys may verify (`trustedKeys`, `admitKey`). */
  readonly admission: AdmissionPolicy
  /** A key trusted for longer is reported as overdue for rotation. */
  readonly maxKeyAgeMs: number
  /** A key whose first token comes sooner after its first sighting is reported as unannounced. */
  readonly minKeyNoticeMs: number
  readonly events: EventSink
  /** keyward's operator log lines (the `logger` option). */
  readonly log: OperatorLog
  readonly now: () => number
  readonly random: () => number
  /** For documents that are more than a JWK Set (a SPIFFE bundle); a plain JWKS when absent. */
  readonly document?: KeyDocumentProfile | undefined
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
  /** Every trusted key (the keys of `keyIds`, and those without a `kid`): age, use, hygiene. */
  readonly keys: readonly TrustedKeyInfo[]
  /**
   * Keys the last fetched JWKS published that do not verify, with the reason: every key refused
   * by the key policy or a revocation, then the first 20 others, in document order each.
   */
  readonly droppedKeys: readonly DroppedKeyInfo[]
  /** How many keys that JWKS published that do not verify, listed or not. */
  readonly droppedKeyCount: number
  /** The operator's revocations in force (`revokeKey`), whether the JWKS still publishes the key or not. */
  readonly revokedKeys: readonly RevokedKey[]
  readonly hygiene: KeyHygiene
}

/** A published key that does not verify, in `health()`. */
export interface DroppedKeyInfo {
  /** Position in the JWKS `keys` array. */
  readonly index: number
  /** Clipped to 128 characters. */
  readonly kid: string | undefined
  /** For keys that were usable and refused by the key policy or a revocation. */
  readonly thumbprint: string | undefined
  readonly reason: KeyDropReason
}

/** What `verifier.refresh()` did for one issuer. */
export interface KeyRefreshResult {
  readonly issuer: string
  /**
   * `refreshed`: the JWKS answered (200 or 304) and its keys are in use. `failed`: the fetch
   * failed; last-known-good keys, if any, keep serving. `throttled`: the refresh budget
   * (`jwks.refreshBudget`) was spent, nothing was fetched. `closed`: the verifier is closed.
   */
  readonly outcome: 'refreshed' | 'failed' | 'throttled' | 'closed'
  /** Trusted keys after the refresh. */
  readonly keyCount: number
  /** Why the fetch failed, for `failed`. */
  readonly error: FetchFailureReason | undefined
}

type LookupOutcome = KeySet | undefined
const GOVERNANCE_REASONS: ReadonlySet<KeyDropReason> = new Set([
  'unmanaged_key',
  'admission_failed',
  'revoked_key',
])

/**
 * One issuer's JWKS: single-flight fetches, background refresh ahead of expiry
 * (stale-while-revalidate), last-known-good during outages and the events that report them. It
 * composes the policies that decide when: a {@link FreshnessWindow} (HTTP-cache-aware
 * freshness), a {@link RefreshGate} (backoff, `Retry-After`, unknown-kid cooldown and budget)
 * and {@link TrustedKeys} (which published keys verify: the key policy, the revocations,
 * and what a refetch changed). All decisions read the injected clock, so the
 * timer is only a nudge: any request past a due time starts the same refresh.
 */
export class JwksKeySource {
  readonly #settings: KeySourceSettings
  readonly #closer = new AbortController()
  readonly #window: FreshnessWindow
  readonly #gate: RefreshGate
  readonly #trust = new TrustedKeys()
  readonly #inventory: KeyInventory
  /** Keys the last fetched JWKS published that no import accepted. */
  #importDrops: readonly DroppedKey[] = []
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
    this.#inventory = new KeyInventory(settings)
  }

  /** The trusted keys in use, whether usable or expired (the source of truth for `current()`). */
  get #set(): KeySet | undefined {
    return this.#trust.set
  }

  /**
   * The usable key set right now, without waiting. Starts a background refresh when one is due;
   * the caller never waits for it (stale-while-revalidate).
   */
  current(): KeySet | undefined {
    const now = this.#settings.now()
    const set = this.#trust.set
    if (set === undefined) return undefined
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
    return set
  }

  /** A usable key set, fetching one if none is cached; `jwks_unavailable` (or `jwks_misconfigured`) if that fails. */
  async require(cause: FetchCause = 'initial'): Promise<KeySet> {
    const cached = this.current()
    if (cached !== undefined) return cached
    if (this.#inflight === undefined) {
      const now = this.#settings.now()
      // Negative caching: during backoff nobody fetches, everybody gets a quick 503.
      if (this.#gate.inBackoff(now)) throw this.#unavailable(now)
      if (!this.#started && this.#settings.firstFetchBudgeted && !this.#settings.budget.take(now)) {
        throw new KeywardError('jwks_unavailable', {
          retryAfterMs: this.#settings.budget.retryInMs(now),
        })
      }
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
   *
   * A key id the JWKS publishes for a key its policy or the operator refused is known, not
   * unknown: no refresh, however many tokens name it.
   */
  async refreshForUnknownKid(kid: string | undefined): Promise<LookupOutcome> {
    if (kid !== undefined && this.#trust.isRefusedKid(kid)) return undefined
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
   * Why the last fetched document's key under `kid` does not verify, if it publishes one that
   * was dropped on import (not one refused by the key policy): a SPIFFE bundle's X.509-SVID
   * authority, say, so its tokens get a precise answer and cause no refetch.
   */
  dropReasonOf(kid: string): KeyDropReason | undefined {
    return this.#importDrops.find((drop) => drop.kid === kid)?.reason
  }

  /**
   * Whether a key is still in the current usable set (for cached verifications). Like
   * `current()`, it starts a due refresh, so traffic served from the verified-token cache keeps
   * the keys revalidated too.
   */
  isActive(key: VerificationKey): boolean {
    return this.current() !== undefined && this.#trust.isTrusted(key)
  }

  /**
   * Fetches now, for an operator: past the unknown-kid cooldown and any backoff, but within the
   * shared refresh budget. A fetch already in flight may predate what the operator knows (a key
   * the issuer just removed), so this one starts after it.
   */
  async refreshNow(): Promise<KeyRefreshResult> {
    while (this.#inflight !== undefined) await this.#inflight
    if (this.#closer.signal.aborted) return this.#refreshResult('closed')
    if (!this.#settings.budget.take(this.#settings.now())) return this.#refreshResult('throttled')
    await this.#refresh('manual')
    return this.#refreshResult(this.#gate.failing ? 'failed' : 'refreshed')
  }

  /**
   * Refuses a key from now on, for the verifier's lifetime: it leaves the trusted set (so
   * verifications cached under it die at their next hit) and stays refused when republished.
   */
  revoke(selector: { readonly kid?: string; readonly thumbprint?: string }): {
    readonly revoked: boolean
    readonly removedKeys: number
  } {
    const { revoked, change } = this.#trust.revoke(selector, this.#settings.now())
    if (revoked) {
      this.#settings.events.emit({
        type: 'jwks_key_revoked',
        ...this.#ids(),
        kid: clip(selector.kid),
        thumbprint: selector.thumbprint,
        removedKeys: change.removed.length,
      })
      this.#reportChange(change, 'revoked')
    }
    return { revoked, removedKeys: change.removed.length }
  }

  /** Whether an operator's revocation is in force (a tenant issuer holding one is never evicted). */
  hasRevocations(): boolean {
    return this.#trust.revocations().length > 0
  }

  /** Lifts a revocation; a key the JWKS still publishes (and the policy admits) verifies again at once. */
  restore(selector: { readonly kid?: string; readonly thumbprint?: string }): {
    readonly restored: boolean
    readonly restoredKeys: number
  } {
    const { restored, change } = this.#trust.restore(selector)
    if (restored) {
      this.#settings.events.emit({
        type: 'jwks_key_restored',
        ...this.#ids(),
        kid: clip(selector.kid),
        thumbprint: selector.thumbprint,
        restoredKeys: change.added.length,
      })
      this.#reportChange(change, 'revoked')
    }
    return { restored, restoredKeys: change.added.length }
  }

  /**
   * The first token signed with `key` was accepted. A key first fetched moments before is a
   * rotation without pre-publication: every other verifier of the fleet that has not fetched it
   * yet refetches (or, within its cooldown, refuses the token).
   */
  noteFirstUse(key: VerificationKey): void {
    const noticeMs = this.#inventory.firstUse(key, this.#settings.now())
    if (noticeMs === undefined) return
    this.#settings.events.emit({
      type: 'jwks_key_unannounced',
      ...this.#ids(),
      kid: clip(key.kid),
      thumbprint: key.thumbprint,
      noticeMs,
      minKeyNoticeMs: this.#settings.minKeyNoticeMs,
    })
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
    const set = this.#set
    const usable = set !== undefined && this.#window.isUsable(now)
    const keys = usable ? set.keys : []
    const trusted = keys.map((key) => this.#inventory.info(key, now))
    const dropped = this.#dropped()
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
      keys: trusted,
      droppedKeys: [
        ...dropped.filter((drop) => GOVERNANCE_REASONS.has(drop.reason)),
        ...dropped
          .filter((drop) => !GOVERNANCE_REASONS.has(drop.reason))
          .slice(0, MAX_KEY_DROP_EVENTS),
      ].map(({ index, kid, thumbprint, reason }) => ({
        index,
        kid: clip(kid),
        thumbprint,
        reason,
      })),
      droppedKeyCount: dropped.length,
      revokedKeys: this.#trust.revocations(),
      hygiene: this.#inventory.hygiene(trusted, usable && keys.length === 0),
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
        uri = await this.#settings.jwksUri(this.#closer.signal, cause === 'manual')
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
      const profile = this.#settings.document
      // A 304 confirms the document in use, and with it the freshness that document asked for.
      let freshnessMs = profile?.freshnessMs ?? result.freshnessMs
      if (result.kind === 'document') {
        const reading = profile?.read(result.body)
        freshnessMs = reading?.freshnessMs ?? result.freshnessMs
        const built = await buildKeySet(result.body, this.#settings.maxKeys, profile?.keyUse)
        if (!built.ok) {
          this.#reportDropped(built.dropped, uri)
          throw new FetchFailure(built.error, { url: uri })
        }
        const { admitted, refused } = isManaged(this.#settings.admission)
          ? await admitKeys(
              this.#settings.admission,
              this.#settings.issuer,
              built.set.keys,
              (key) => this.#trust.admitted.some((known) => known.fingerprint === key.fingerprint),
            )
          : { admitted: built.set.keys, refused: [] }
        // The hook may have outlived the verifier.
        if (this.#isClosed()) return
        const position = new Map(built.set.keys.map((key, i) => [key, built.indexes[i] ?? i]))
        set = this.#adopt(
          admitted,
          admitted.map((key) => position.get(key) ?? -1),
          refused.map(({ key, reason }) => ({
            index: position.get(key) ?? -1,
            kid: key.kid,
            reason,
            thumbprint: key.thumbprint,
          })),
          built.dropped,
          uri,
        )
        this.#etag = result.etag
        this.#lastModified = result.lastModified
        reading?.adopted()
      } else if (set !== undefined) {
        this.#inventory.confirmed(this.#trust.admitted, this.#settings.now())
      }
      if (set === undefined) throw new FetchFailure('invalid_shape', { url: uri })
      this.#succeeded(cause, set, uri, started, result.kind === 'not_modified', freshnessMs)
    } catch (error) {
      if (this.#closer.signal.aborted) return
      this.#failed(cause, uri, started, error)
    }
  }

  /**
   * Installs the admitted keys of a freshly fetched document. Keys with the same fingerprint
   * keep their old object, so verifications cached under them survive; keys that disappeared
   * stop verifying at once.
   */
  #adopt(
    admitted: readonly VerificationKey[],
    indexes: readonly number[],
    refused: readonly DroppedKey[],
    importDrops: readonly DroppedKey[],
    uri: string,
  ): KeySet {
    const hadKeys = this.#set !== undefined
    const now = this.#settings.now()
    const { diff, change } = this.#trust.adopt(admitted, indexes, refused)
    this.#importDrops = importDrops
    this.#reportDropped(
      [...importDrops, ...this.#trust.refused()].sort((a, b) => a.index - b.index),
      uri,
    )
    const replaced = this.#inventory.adopted(diff, now, hadKeys)
    const { added, removed } = change
    if (hadKeys && (added.length > 0 || removed.length > 0)) {
      this.#settings.events.emit({
        type: 'jwks_keys_rotated',
        issuer: this.#settings.issuer,
        jwksUri: clipUrl(uri),
        added: kidsOf(added),
        removed: kidsOf(removed),
      })
    }
    this.#reportChange(change, 'unpublished')
    if (replaced) {
      this.#settings.events.emit({
        type: 'jwks_key_set_replaced',
        ...this.#ids(),
        added: diff.added.map((key) => key.thumbprint),
        removed: diff.removed.map((key) => key.thumbprint),
      })
    }
    const set = this.#trust.set
    if (set === undefined) throw new FetchFailure('invalid_shape')
    return set
  }

  /**
   * One `jwks_key_added` / `jwks_key_removed` event per key that started or stopped verifying,
   * then `jwks_no_trusted_keys` if none is left: the trail an audit of the trust anchor reads.
   */
  #reportChange(change: TrustChange, removal: KeyRemovalReason): void {
    const ids = this.#ids()
    for (const key of change.removed) {
      this.#settings.events.emit({
        type: 'jwks_key_removed',
        ...ids,
        kid: clip(key.kid),
        thumbprint: key.thumbprint,
        reason: removal,
      })
    }
    for (const key of change.added) {
      this.#settings.events.emit({
        type: 'jwks_key_added',
        ...ids,
        kid: clip(key.kid),
        thumbprint: key.thumbprint,
        kty: key.kty,
        crv: key.crv,
        alg: key.alg,
      })
    }
    const set = this.#trust.set
    if (set?.keys.length === 0 && (change.removed.length > 0 || removal === 'unpublished')) {
      this.#settings.events.emit({
        type: 'jwks_no_trusted_keys',
        ...ids,
        refusedKeys: this.#trust.refused().length,
      })
    }
  }

  /** Every key of the last fetched JWKS that does not verify, in document order. */
  #dropped(): DroppedKey[] {
    return [...this.#importDrops, ...this.#trust.refused()].sort((a, b) => a.index - b.index)
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
    for (const { index, kid, reason, thumbprint } of dropped.slice(0, reported)) {
      this.#settings.events.emit({
        type: 'jwks_key_dropped',
        issuer: this.#settings.issuer,
        jwksUri,
        kid: clip(kid),
        index,
        reason,
        thumbprint,
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
    for (const key of this.#inventory.newlyOverdue(set.keys, now)) {
      this.#settings.events.emit({
        type: 'jwks_key_rotation_overdue',
        issuer: this.#settings.issuer,
        jwksUri: clipUrl(uri),
        kid: clip(key.kid),
        thumbprint: key.thumbprint,
        trustedForMs: this.#inventory.ageMs(key, now),
        maxKeyAgeMs: this.#settings.maxKeyAgeMs,
      })
    }
  }

  #failed(cause: FetchCause, uri: string, started: number, error: unknown): void {
    const now = this.#settings.now()
    const failure =
      error instanceof FetchFailure
        ? error
        : new FetchFailure('network', {
            cause: error,
            url: uri === '(discovery)' ? undefined : uri,
          })
    const delay = this.#gate.failed(now, failure.retryAfterMs)
    this.#lastFailure = failure
    const servingLastKnownGood = this.#set !== undefined && this.#window.isUsable(now)
    this.#settings.events.emit({
      type: 'jwks_fetch_failure',
      issuer: this.#settings.issuer,
      jwksUri: clipUrl(uri),
      cause,
      reason: failure.reason,
      httpStatus: failure.httpStatus,
      url: failure.url === undefined ? undefined : clipUrl(failure.url),
      misconfigured: failure.misconfigured,
      expected: failure.compared?.expected,
      received: failure.compared?.received,
      durationMs: now - started,
      consecutiveFailures: this.#gate.failures,
      retryInMs: delay,
      servingLastKnownGood,
    })
    // One line per run of failures: the first says what is wrong; retries would only repeat it.
    if (this.#gate.failures === 1) {
      this.#settings.log.keysFailed(this.#settings.issuer, failure, servingLastKnownGood, delay)
    }
  }

  /** `maxStaleMs` has passed without a successful fetch: the keys are no longer trusted. */
  #expire(now: number): void {
    const uri = this.#resolvedUri ?? '(discovery)'
    const expired = this.#set?.keys ?? []
    this.#trust.clear()
    this.#inventory.clear()
    this.#importDrops = []
    this.#etag = undefined
    this.#lastModified = undefined
    this.#settings.events.emit({
      type: 'jwks_stale_end',
      issuer: this.#settings.issuer,
      jwksUri: clipUrl(uri),
      staleForMs: this.#window.endStale(now, true) ?? 0,
      outcome: 'expired',
    })
    this.#reportChange({ added: [], removed: expired }, 'expired')
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

  /**
   * No usable keys: `jwks_misconfigured` when the last fetch failed for a reason that waiting
   * does not fix (see `FetchFailure.misconfigured`), else `jwks_unavailable`. Both answer the
   * client 503 with `Retry-After`; the code and the `cause` (URL, status, values compared) are
   * for the operator.
   */
  #unavailable(now: number): KeywardError {
    const misconfigured = this.#lastFailure?.misconfigured === true
    return new KeywardError(misconfigured ? 'jwks_misconfigured' : 'jwks_unavailable', {
      retryAfterMs: this.#gate.retryInMs(now),
      cause: this.#lastFailure,
    })
  }

  #isClosed(): boolean {
    return this.#closer.signal.aborted
  }

  #refreshResult(outcome: KeyRefreshResult['outcome']): KeyRefreshResult {
    return {
      issuer: this.#settings.issuer,
      outcome,
      keyCount: this.current()?.keys.length ?? 0,
      error: outcome === 'failed' ? this.#lastFailure?.reason : undefined,
    }
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
