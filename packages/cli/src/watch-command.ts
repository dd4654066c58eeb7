import {
  createVerifier,
  judgeJwks,
  type JwkJudgement,
  type KeySourceHealth,
  type KeywardEvent,
  type Verifier,
} from '@keyward/core'
import { absoluteUrl, onePositional, parseCommandLine } from './args.js'
import type { Command, CommandIo } from './command-io.js'
import { documentTap } from './document-tap.js'
import { formatDuration, parseDuration } from './duration.js'
import { WATCH_HELP } from './help.js'
import { styleFor, type Style } from './style.js'
import { UsageError } from './usage-error.js'

/** The verifier's default body cap, also the tap's. */
const MAX_BYTES = 512 * 1024
const MIN_INTERVAL_MS = 1000
/** How often health is read for staleness; an in-memory call. */
const HEALTH_POLL_MS = 1000

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
  readonly thumbprint: string | null
}

/**
 * `keyward watch <issuer-url> [--jwks-uri <url>] [--interval 30s] [--json] [--exit-on-change]`:
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
  return watcher.run(issuer, jwksUri, intervalMs)
}

/** The state of one `keyward watch` run. */
class Watcher {
  readonly #io: CommandIo
  readonly #paint: Style
  readonly #json: boolean
  readonly #exitOnChange: boolean
  readonly #started = Date.now()
  /** JWK Sets (and metadata) the key source read, by URL, from the fetch tap. */
  readonly #documents = new Map<string, unknown>()
  /** The JWK Set adopted last, judged. */
  #keys: readonly JwkJudgement[] | undefined
  #dropped = new Set<string>()
  #droppedThisFetch = new Set<string>()
  #failures = 0
  #staleSince: number | undefined
  #state: KeySourceHealth['state'] | undefined
  readonly #counts = { ok: 0, failed: 0, added: 0, removed: 0, metadataChanges: 0 }
  /** Events are handled in order, one at a time: judging keys is asynchronous. */
  #queue: Promise<void> = Promise.resolve()
  #finish: ((status: number) => void) | undefined
  #finished = false

  constructor(io: CommandIo, paint: Style, json: boolean, exitOnChange: boolean) {
    this.#io = io
    this.#paint = paint
    this.#json = json
    this.#exitOnChange = exitOnChange
  }

  async run(issuer: string, jwksUri: string | undefined, intervalMs: number): Promise<number> {
    const fetch = documentTap(
      globalThis.fetch.bind(globalThis),
      (url, body) => {
        this.#documents.set(url, body)
      },
      MAX_BYTES,
    )
    let verifier: Verifier
    try {
      verifier = createVerifier({
        issuer,
        // Watching verifies no token: no audience to check.
        audience: null,
        ...(jwksUri === undefined ? {} : { jwksUri }),
        jwks: {
          fetch,
          maxBytes: MAX_BYTES,
          // Until a public refresh() exists, the interval is the keys' cache lifetime whatever
          // the issuer's Cache-Control says: the key source then refetches ahead of expiry,
          // 75 to 95 % into each interval, and retries failures with backoff up to the interval.
          cacheMaxAgeMs: intervalMs,
          cacheFloorMs: intervalMs,
          cacheCeilingMs: intervalMs,
          retryInitialDelayMs: Math.min(1000, intervalMs),
          retryMaxDelayMs: intervalMs,
        },
        onEvent: (event) => {
          this.#queue = this.#queue.then(() => this.#onEvent(event)).catch(() => undefined)
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
      void this.#queue.then(() => {
        this.#end(0)
      })
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    const poll = setInterval(() => {
      this.#pollHealth(verifier)
    }, HEALTH_POLL_MS)
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
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      verifier.close()
    }
  }

  async #onEvent(event: KeywardEvent): Promise<void> {
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
      case 'jwks_keys_rotated':
        await this.#rotated(event.jwksUri)
        return
      case 'jwks_fetch_success':
        await this.#succeeded(event)
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

  async #succeeded(event: Extract<KeywardEvent, { type: 'jwks_fetch_success' }>): Promise<void> {
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
    if (event.notModified) return
    const judged = await this.#judge(event.jwksUri)
    if (judged === undefined) return
    if (this.#keys === undefined) {
      const kept = judged.filter((key) => key.kept)
      this.#print({
        type: 'keys',
        text: `${String(kept.length)} signing key${kept.length === 1 ? '' : 's'} at ${event.jwksUri}: ${kept.map(describeKey).join('; ')}`,
        data: { jwksUri: event.jwksUri, keys: kept.map(watchedKey) },
      })
    }
    this.#keys = judged
  }

  async #rotated(jwksUri: string): Promise<void> {
    const next = await this.#judge(jwksUri)
    if (next === undefined || this.#keys === undefined) return
    const identity = (key: JwkJudgement) =>
      `${String(key.kid)}|${String(key.alg)}|${String(key.thumbprint)}`
    const before = new Map(this.#keys.filter((key) => key.kept).map((key) => [identity(key), key]))
    const after = new Map(next.filter((key) => key.kept).map((key) => [identity(key), key]))
    for (const [id, key] of after) {
      if (before.has(id)) continue
      this.#counts.added++
      this.#print({
        type: 'key_added',
        text: describeKey(key),
        data: { jwksUri, key: watchedKey(key) },
      })
    }
    for (const [id, key] of before) {
      if (after.has(id)) continue
      this.#counts.removed++
      this.#print({
        type: 'key_removed',
        text: describeKey(key),
        data: { jwksUri, key: watchedKey(key) },
      })
    }
    this.#keys = next
    this.#changed()
  }

  async #judge(jwksUri: string): Promise<readonly JwkJudgement[] | undefined> {
    const document = this.#documents.get(jwksUri)
    if (document === undefined) return undefined
    return (await judgeJwks(document)).keys
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
    const kept = (this.#keys ?? []).filter((key) => key.kept)
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
        keys: kept.map(watchedKey),
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

function watchedKey(key: JwkJudgement): WatchedKey {
  return {
    kid: key.kid ?? null,
    kty: key.kty ?? null,
    alg: key.alg ?? null,
    thumbprint: key.thumbprint ?? null,
  }
}

function describeKey(key: JwkJudgement): string {
  const kid = key.kid === undefined ? '(no kid)' : `kid ${JSON.stringify(key.kid)}`
  return `${kid} ${[key.kty, key.alg].filter((part) => part !== undefined).join(' ')} thumbprint ${String(key.thumbprint)}`
}
