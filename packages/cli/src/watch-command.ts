import {
  createVerifier,
  type KeySourceHealth,
  type KeywardEvent,
  type Verifier,
} from '@keyward/core'
import { absoluteUrl, onePositional, parseCommandLine } from './args.js'
import type { Command, CommandIo } from './command-io.js'
import { formatDuration, parseDuration } from './duration.js'
import { WATCH_HELP } from './help.js'
import { NETWORK_FLAGS, networkOptions, type NetworkOptions } from './network-flags.js'
import { styleFor, type Style } from './style.js'
import { UsageError } from './usage-error.js'

const MIN_INTERVAL_MS = 1000
/** How often health is read for staleness; an in-memory call. */
const HEALTH_POLL_MS = 1000
/** The verifier's defaults that the watch adjusts to its interval. */
const DEFAULT_CACHE_FLOOR_MS = 60_000
const DEFAULT_REFRESH_BUDGET = 10
const REFRESH_BUDGET_WINDOW_MS = 60_000

/** One line of `keyward watch` (a JSON object per line with `--json`). */
interface WatchLine {
  readonly type:
    | 'watching'
    | 'keys'
    | 'key_added'
    | 'key_removed'
    | 'key_dropped'
    | 'metadata_changed'
    | 'fetch_failed'
    | 'recovered'
    | 'stale'
    | 'expired'
    | 'summary'
  readonly text: string
  readonly data: Readonly<Record<string, unknown>>
}

/** A key as watch lines show it. */
interface WatchedKey {
  readonly kid: string | null
  readonly kty: string | null
  readonly alg: string | null
  readonly thumbprint: string
}

/**
 * `keyward watch <issuer-url> [--jwks-uri <url>] [--interval 30s] [--json] [--exit-on-change]
 * [--proxy env|<url>] [--ca-file <pem>]`:
 * follows an issuer's keys through the real key source and prints a line per event until Ctrl-C
 * (a summary) or, with `--exit-on-change`, the first change.
 *
 * @example
 * ```ts
 * process.exitCode = await watch(['https://auth.example.com/', '--interval', '10s'], io)
 * ```
 */
export const watch: Command = async (args, io) => {
  const { values, positionals } = parseCommandLine('watch', args, {
    interval: { type: 'string', default: '30s' },
    'jwks-uri': { type: 'string' },
    json: { type: 'boolean', default: false },
    'exit-on-change': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...NETWORK_FLAGS,
  })
  if (values.help) {
    io.stdout.write(`${WATCH_HELP}\n`)
    return 0
  }
  const intervalMs = parseDuration(values.interval, '--interval')
  if (intervalMs < MIN_INTERVAL_MS) throw new UsageError('--interval: at least 1s')
  const issuer = absoluteUrl(onePositional('watch', positionals, '<issuer-url>'), '<issuer-url>')
  const jwksUri =
    values['jwks-uri'] === undefined ? undefined : absoluteUrl(values['jwks-uri'], '--jwks-uri')
  const watcher = new Watcher(
    io,
    styleFor(io.stdout, io.env),
    values.json,
    values['exit-on-change'],
  )
  return watcher.run(issuer, jwksUri, intervalMs, networkOptions(values))
}

/** The state of one `keyward watch` run. */
class Watcher {
  readonly #io: CommandIo
  readonly #paint: Style
  readonly #json: boolean
  readonly #exitOnChange: boolean
  readonly #started = Date.now()
  /** The keys verifying now, by RFC 7638 thumbprint, from `jwks_key_added` / `jwks_key_removed`. */
  readonly #keys = new Map<string, WatchedKey>()
  /** Whether the first key set has been shown (its keys arrive as `jwks_key_added` too). */
  #shown = false
  /** A key was added or removed by the fetch under way; reported as a change once it succeeds. */
  #keysChanged = false
  #dropped = new Set<string>()
  #droppedThisFetch = new Set<string>()
  #failures = 0
  #staleSince: number | undefined
  #state: KeySourceHealth['state'] | undefined
  readonly #counts = { ok: 0, failed: 0, added: 0, removed: 0, metadataChanges: 0 }
  #finish: ((status: number) => void) | undefined
  #finished = false

  constructor(io: CommandIo, paint: Style, json: boolean, exitOnChange: boolean) {
    this.#io = io
    this.#paint = paint
    this.#json = json
    this.#exitOnChange = exitOnChange
  }

  async run(
    issuer: string,
    jwksUri: string | undefined,
    intervalMs: number,
    network: NetworkOptions,
  ): Promise<number> {
    let verifier: Verifier
    try {
      verifier = createVerifier({
        issuer,
        // Watching verifies no token: no audience to check.
        audience: null,
        ...(jwksUri === undefined ? {} : { jwksUri }),
        // watch prints its own line per event.
        logger: false,
        jwks: {
          // --proxy and --ca-file: fetched as a verifier with jwks.proxy / extraCaCerts would.
          ...network,
          // Freshness stays the issuer's (Cache-Control, or 10 min without one), so `stale`
          // means what it means to a real verifier; a max-age shorter than the 60 s floor is
          // honoured down to the interval, so it shows as the issuer sent it.
          cacheFloorMs: Math.min(intervalMs, DEFAULT_CACHE_FLOOR_MS),
          // One refresh() per interval, on top of the verifier's own refreshes and retries.
          refreshBudget: Math.ceil(REFRESH_BUDGET_WINDOW_MS / intervalMs) + DEFAULT_REFRESH_BUDGET,
          refreshBudgetWindowMs: REFRESH_BUDGET_WINDOW_MS,
        },
        onEvent: (event) => {
          this.#onEvent(event)
        },
      })
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(error.message)
      throw error
    }
    const done = new Promise<number>((resolve) => {
      this.#finish = resolve
    })
    const stop = (): void => {
      this.#end(0)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    const poll = setInterval(() => {
      this.#pollHealth(verifier)
    }, HEALTH_POLL_MS)
    // verifier.refresh() rereads the metadata and the JWK Set past any cooldown or backoff; its
    // failures are reported by their events. One at a time: a hung fetch must not pile them up.
    let refreshing = false
    const refresh = setInterval(() => {
      if (refreshing) return
      refreshing = true
      verifier
        .refresh()
        .catch(() => undefined)
        .finally(() => {
          refreshing = false
        })
    }, intervalMs)
    this.#print({
      type: 'watching',
      text: `${issuer}, refetching every ${formatDuration(intervalMs)}; Ctrl-C to stop`,
      data: { issuer, jwksUri: jwksUri ?? null, intervalMs },
    })
    // The first fetch; a failure is already reported by its event, and retries are scheduled.
    verifier.warmup().catch(() => undefined)
    try {
      return await done
    } finally {
      clearInterval(poll)
      clearInterval(refresh)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      verifier.close()
    }
  }

  #onEvent(event: KeywardEvent): void {
    switch (event.type) {
      case 'jwks_fetch_start':
        this.#droppedThisFetch = new Set()
        return
      case 'jwks_fetch_failure':
        this.#counts.failed++
        this.#failures = event.consecutiveFailures
        this.#print({
          type: 'fetch_failed',
          text: `${event.reason}${event.httpStatus === undefined ? '' : ` ${String(event.httpStatus)}`} from ${event.jwksUri === '(discovery)' ? "the issuer's metadata" : event.jwksUri}; ${String(event.consecutiveFailures)} in a row, next try in ${formatDuration(event.retryInMs)}${event.servingLastKnownGood ? ', last-known-good keys still in use' : ''}`,
          data: {
            jwksUri: event.jwksUri,
            reason: event.reason,
            httpStatus: event.httpStatus ?? null,
            consecutiveFailures: event.consecutiveFailures,
            retryInMs: event.retryInMs,
            servingLastKnownGood: event.servingLastKnownGood,
          },
        })
        return
      case 'jwks_key_dropped': {
        const id = `${String(event.index)}|${String(event.kid)}|${event.reason}`
        this.#droppedThisFetch.add(id)
        if (this.#dropped.has(id)) return
        this.#print({
          type: 'key_dropped',
          text: `key #${String(event.index)} ${event.kid === undefined ? '(no kid)' : `kid ${JSON.stringify(event.kid)}`}: ${event.reason}`,
          data: { index: event.index, kid: event.kid ?? null, reason: event.reason },
        })
        return
      }
      case 'jwks_key_added':
        this.#keyAdded(event)
        return
      case 'jwks_key_removed':
        this.#keyRemoved(event)
        return
      case 'jwks_fetch_success':
        this.#succeeded(event)
        return
      case 'issuer_metadata_changed':
        this.#counts.metadataChanges++
        this.#print({
          type: 'metadata_changed',
          text: `jwks_uri ${event.previousJwksUri} → ${event.jwksUri} (${event.outcome === 'followed' ? 'followed' : 'refused: another origin, not in jwksOrigins; the previous keys stay in use'})`,
          data: {
            previousJwksUri: event.previousJwksUri,
            jwksUri: event.jwksUri,
            outcome: event.outcome,
          },
        })
        this.#changed()
        return
      default:
        return
    }
  }

  /** The first key set arrives as added keys too: it is shown whole, in one `keys` line. */
  #keyAdded(event: Extract<KeywardEvent, { type: 'jwks_key_added' }>): void {
    const key: WatchedKey = {
      kid: event.kid ?? null,
      kty: event.kty,
      alg: event.alg ?? null,
      thumbprint: event.thumbprint,
    }
    this.#keys.set(event.thumbprint, key)
    if (!this.#shown) return
    this.#counts.added++
    this.#keysChanged = true
    this.#print({
      type: 'key_added',
      text: describeKey(key),
      data: { jwksUri: event.jwksUri, key },
    })
  }

  /** Keys that expired with the rest (`maxStaleMs`) are the `expired` line, not removals. */
  #keyRemoved(event: Extract<KeywardEvent, { type: 'jwks_key_removed' }>): void {
    const key = this.#keys.get(event.thumbprint) ?? {
      kid: event.kid ?? null,
      kty: null,
      alg: null,
      thumbprint: event.thumbprint,
    }
    this.#keys.delete(event.thumbprint)
    if (event.reason === 'expired') return
    this.#counts.removed++
    this.#keysChanged = true
    this.#print({
      type: 'key_removed',
      text: describeKey(key),
      data: { jwksUri: event.jwksUri, key, reason: event.reason },
    })
  }

  #succeeded(event: Extract<KeywardEvent, { type: 'jwks_fetch_success' }>): void {
    this.#counts.ok++
    this.#dropped = this.#droppedThisFetch
    if (this.#failures > 0 || this.#staleSince !== undefined) {
      const stale =
        this.#staleSince === undefined
          ? ''
          : `, stale for ${formatDuration(Date.now() - this.#staleSince)}`
      this.#print({
        type: 'recovered',
        text: `keys fetched again after ${String(this.#failures)} failed fetch${this.#failures === 1 ? '' : 'es'}${stale}`,
        data: {
          failures: this.#failures,
          staleForMs: this.#staleSince === undefined ? 0 : Date.now() - this.#staleSince,
        },
      })
      this.#failures = 0
      this.#staleSince = undefined
    }
    if (!this.#shown) {
      this.#shown = true
      const keys = [...this.#keys.values()]
      this.#print({
        type: 'keys',
        text: `${String(keys.length)} signing key${keys.length === 1 ? '' : 's'} at ${event.jwksUri}: ${keys.map(describeKey).join('; ')}`,
        data: { jwksUri: event.jwksUri, keys },
      })
    }
    // A rotation's additions and removals are all printed before it counts as one change.
    if (this.#keysChanged) {
      this.#keysChanged = false
      this.#changed()
    }
  }

  #pollHealth(verifier: Verifier): void {
    const health = verifier.health().issuers[0]
    if (health === undefined) return
    const previous = this.#state
    this.#state = health.state
    if (previous === health.state) return
    if (health.state === 'stale' && previous === 'fresh') {
      this.#staleSince = Date.now() - health.staleForMs
      this.#print({
        type: 'stale',
        text: `keys past their freshness; serving last-known-good${health.lastError === undefined ? '' : ` (last error: ${health.lastError})`}`,
        data: {
          lastError: health.lastError ?? null,
          consecutiveFailures: health.consecutiveFailures,
        },
      })
    } else if (health.state === 'unavailable' && previous !== undefined) {
      this.#print({
        type: 'expired',
        text: `no usable keys any more${health.lastError === undefined ? '' : ` (last error: ${health.lastError})`}`,
        data: { lastError: health.lastError ?? null },
      })
    }
  }

  /** A key or metadata change: with --exit-on-change, the watch ends here. */
  #changed(): void {
    if (this.#exitOnChange) this.#end(0)
  }

  #end(status: number): void {
    if (this.#finished) return
    this.#finished = true
    const kept = [...this.#keys.values()]
    const durationMs = Date.now() - this.#started
    const { ok, failed, added, removed, metadataChanges } = this.#counts
    this.#print({
      type: 'summary',
      text: `watched ${formatDuration(durationMs)}: ${String(ok + failed)} fetches (${String(failed)} failed), ${String(added)} key${added === 1 ? '' : 's'} added, ${String(removed)} removed, ${String(metadataChanges)} metadata change${metadataChanges === 1 ? '' : 's'}; now ${String(kept.length)} signing key${kept.length === 1 ? '' : 's'}${kept.length === 0 ? '' : `: ${kept.map(describeKey).join('; ')}`}`,
      data: {
        durationMs,
        fetches: ok + failed,
        failedFetches: failed,
        keysAdded: added,
        keysRemoved: removed,
        metadataChanges,
        keys: kept,
        state: this.#state ?? null,
      },
    })
    this.#finish?.(status)
  }

  #print(line: WatchLine): void {
    if (this.#finished && line.type !== 'summary') return
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    if (this.#json) {
      this.#io.stdout.write(`${JSON.stringify({ time, type: line.type, ...line.data })}\n`)
      return
    }
    const paint = this.#paint
    const color =
      line.type === 'fetch_failed' || line.type === 'expired' || line.type === 'key_removed'
        ? paint.red
        : line.type === 'stale' || line.type === 'key_dropped' || line.type === 'metadata_changed'
          ? paint.yellow
          : line.type === 'key_added' || line.type === 'recovered'
            ? paint.green
            : line.type === 'summary'
              ? paint.bold
              : (text: string) => text
    this.#io.stdout.write(
      `${paint.dim(time)}  ${color(line.type.replace(/_/g, ' ').padEnd(16))}  ${line.text}\n`,
    )
  }
}

function describeKey(key: WatchedKey): string {
  const kid = key.kid === null ? '(no kid)' : `kid ${JSON.stringify(key.kid)}`
  return `${kid} ${[key.kty, key.alg].filter((part) => part !== null).join(' ')} thumbprint ${key.thumbprint}`
}
