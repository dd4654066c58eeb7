/** Why a claim could not be answered. */
export type RedisReplayFailure = 'redis_timeout' | 'redis_error' | 'redis_circuit_open'

/**
 * Rejects a claim the store could not answer. keyward fails closed on it: 503
 * `replay_store_unavailable` with `Retry-After` from `retryAfterMs`, and a
 * `replay_store_unavailable` event whose `reason` is `code` (never the Redis message, which can
 * name hosts and keys).
 *
 * @example
 * ```ts
 * if (error instanceof RedisReplayStoreError && error.code === 'redis_circuit_open') alert()
 * ```
 */
export class RedisReplayStoreError extends Error {
  override readonly name = 'RedisReplayStoreError'
  readonly code: RedisReplayFailure
  /** When to try again: the circuit's remaining cooldown, or one second. */
  readonly retryAfterMs: number

  constructor(code: RedisReplayFailure, retryAfterMs: number, cause?: unknown) {
    super(`replay store unavailable: ${code}`, cause === undefined ? undefined : { cause })
    this.code = code
    this.retryAfterMs = retryAfterMs
  }
}
