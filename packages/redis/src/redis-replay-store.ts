import { channel } from 'node:diagnostics_channel'
import type { ReplayStore } from '@keyward/core'
import { Circuit } from './circuit.js'
import { RedisReplayStoreError } from './errors.js'

/**
 * The part of a node-redis client (`createClient()` from `redis` 4.7+, 5 or 6, connected) the
 * store uses. `sendCommand` with the raw arguments: its shape is the same in every major, where
 * `set`'s options were renamed in 5.
 */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>
}

/** What the store reports through `onEvent` and on `keyward:redis_circuit_*` channels. */
export type RedisReplayStoreEvent =
  | {
      /** `failureThreshold` claims in a row failed: claims now fail fast for `cooldownMs`. */
      readonly type: 'redis_circuit_opened'
      readonly failures: number
      readonly cooldownMs: number
      /** The last failure: `redis_timeout` or `redis_error` (never Redis's message). */
      readonly reason: 'redis_timeout' | 'redis_error'
    }
  | {
      /** A trial claim after the cooldown succeeded: claims go to Redis again. */
      readonly type: 'redis_circuit_closed'
    }

/** The store {@link redisReplayStore} makes: every claim is a Redis round trip. */
export interface RedisReplayStore extends ReplayStore {
  claim(key: string, expiresAt: number): Promise<boolean>
}

/** Options of {@link redisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** A connected node-redis client (`await createClient({ url }).connect()`). Yours to close. */
  readonly client: RedisCommandClient
  /**
   * Prefix of every key, so several APIs (or environments) can share one Redis.
   * @defaultValue 'keyward:replay:'
   */
  readonly keyPrefix?: string
  /**
   * How long a claim may wait for Redis before it fails (503). Short: a slow Redis must not
   * hold every request.
   * @defaultValue 250
   */
  readonly timeoutMs?: number
  /**
   * Consecutive failed claims that open the circuit.
   * @defaultValue 5
   */
  readonly failureThreshold?: number
  /**
   * How long an open circuit fails claims without asking Redis; also their `Retry-After`.
   * @defaultValue 5000
   */
  readonly cooldownMs?: number
  /** Called with circuit changes; the same events go to `keyward:redis_circuit_*` channels. */
  readonly onEvent?: (event: RedisReplayStoreEvent) => void
  /**
   * Clock in epoch milliseconds. For tests.
   * @defaultValue Date.now
   */
  readonly now?: () => number
}

const OPTIONS = new Set([
  'client',
  'keyPrefix',
  'timeoutMs',
  'failureThreshold',
  'cooldownMs',
  'onEvent',
  'now',
])
// A failure outside an open circuit: try again soon.
const RETRY_AFTER_MS = 1000

/**
 * A {@link ReplayStore} on Redis, shared by every instance of a fleet, so a DPoP proof (or a
 * single-use token) accepted by one instance is refused by all (RFC 9449 §11.1). Each claim is
 * one atomic `SET key 1 NX PX <ttl>`: of two concurrent claims exactly one creates the key, and
 * Redis forgets it when it could no longer be accepted. A claim Redis cannot answer within
 * `timeoutMs` rejects, and keyward fails closed (503 `replay_store_unavailable`, `Retry-After`);
 * after `failureThreshold` failures in a row the circuit opens and claims fail at once.
 *
 * @example
 * ```ts
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const verifier = createVerifier({ issuer, audience, dpop: { publicBaseUrl },
 *   replayStore: redisReplayStore({ client }) })
 * ```
 */
export function redisReplayStore(options: RedisReplayStoreOptions): RedisReplayStore {
  const settings = readOptions(options)
  const { client, keyPrefix, timeoutMs, now, onEvent } = settings
  const circuit = new Circuit(settings.failureThreshold, settings.cooldownMs, now)
  const report = (event: RedisReplayStoreEvent): void => {
    try {
      onEvent?.(event)
    } catch {
      // A throwing listener must not turn a claim into a failure.
    }
    const name = `keyward:${event.type}`
    if (channel(name).hasSubscribers) channel(name).publish(event)
  }

  return {
    async claim(key: string, expiresAt: number): Promise<boolean> {
      const waitMs = circuit.waitMs()
      if (waitMs > 0) throw new RedisReplayStoreError('redis_circuit_open', waitMs)
      // At least 1 ms: `PX 0` is an error, and a claim that already expired still blocks
      // nothing a second claim could need.
      const ttl = Math.max(1, Math.ceil(expiresAt - now()))
      let reply: unknown
      try {
        reply = await withTimeout(
          client.sendCommand(['SET', keyPrefix + key, '1', 'NX', 'PX', String(ttl)]),
          timeoutMs,
        )
      } catch (error) {
        const code = error instanceof Timeout ? 'redis_timeout' : 'redis_error'
        if (circuit.failed()) {
          report({
            type: 'redis_circuit_opened',
            failures: settings.failureThreshold,
            cooldownMs: settings.cooldownMs,
            reason: code,
          })
        }
        throw new RedisReplayStoreError(
          code,
          RETRY_AFTER_MS,
          error instanceof Timeout ? undefined : error,
        )
      }
      if (circuit.succeeded()) report({ type: 'redis_circuit_closed' })
      // `OK` when the key was created; `null` when it existed (NX).
      return reply === 'OK'
    },
  }
}

/** Redis did not answer within `timeoutMs`. */
class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Timeout())
    }, timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer)
  })
}

interface Settings {
  readonly client: RedisCommandClient
  readonly keyPrefix: string
  readonly timeoutMs: number
  readonly failureThreshold: number
  readonly cooldownMs: number
  readonly onEvent: ((event: RedisReplayStoreEvent) => void) | undefined
  readonly now: () => number
}

/** Every option checked once, here: a misspelt one must not leave a default in force. */
function readOptions(options: unknown): Settings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('redisReplayStore options must be an object with a "client"')
  }
  for (const name of Object.keys(options)) {
    if (!OPTIONS.has(name)) throw new TypeError(`unknown redisReplayStore option "${name}"`)
  }
  const o = options as Record<string, unknown>
  const client = o.client as { sendCommand?: unknown } | null | undefined
  if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function') {
    throw new TypeError('"client" must be a node-redis client (createClient() from "redis")')
  }
  const keyPrefix = o.keyPrefix ?? 'keyward:replay:'
  if (typeof keyPrefix !== 'string') throw new TypeError('"keyPrefix" must be a string')
  const onEvent = o.onEvent
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw new TypeError('"onEvent" must be a function')
  }
  const now = o.now ?? Date.now
  if (typeof now !== 'function') throw new TypeError('"now" must be a function')
  return {
    client: client as RedisCommandClient,
    keyPrefix,
    timeoutMs: positiveInteger(o.timeoutMs, 250, 'timeoutMs'),
    failureThreshold: positiveInteger(o.failureThreshold, 5, 'failureThreshold'),
    cooldownMs: positiveInteger(o.cooldownMs, 5000, 'cooldownMs'),
    onEvent: onEvent as Settings['onEvent'],
    now: now as () => number,
  }
}

function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`"${name}" must be a positive integer`)
  }
  return value
}
