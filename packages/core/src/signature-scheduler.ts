import type { JwsAlgorithm } from './algorithms.js'
import type { VerificationKey } from './jwk-import.js'
import { verifySignature, verifySignatureInThreadPool } from './signature.js'

/**
 * Where signatures are checked. `inline`: synchronous `crypto.verify` on the event loop, the
 * cheapest call. `threadPool`: its callback form in libuv's thread pool, a thread hop per token
 * that lets other cores do the arithmetic while the event loop serves other requests. `auto`:
 * inline while verifications come one at a time, the thread pool while they overlap.
 */
export type SignatureThreads = 'auto' | 'inline' | 'threadPool'

/**
 * In `auto`, one token in this many goes to the pool to find out whether requests overlap: 64
 * at first and after any overlap, doubling after each probe that found none, up to 4,096. A
 * probe costs a thread hop (measured at ~12 µs of CPU time per token in 64 on a caller that
 * awaits each verification, a tenth of its throughput); backing off leaves it a fraction of a
 * microsecond, while a server whose requests start overlapping is noticed within 4,096 tokens.
 */
const FIRST_PROBE_INTERVAL = 64
const LONGEST_PROBE_INTERVAL = 4096

/**
 * Checks queued per pool thread before further tokens are checked inline. Enough to keep every
 * thread busy; beyond it a queue only adds latency, holds decoded tokens in memory and delays
 * the pool's other users (`dns.lookup` for the JWKS fetch among them). Checking inline then
 * slows the event loop, which is the back-pressure a flood of forged tokens should meet.
 */
const QUEUED_PER_THREAD = 4

/**
 * Decides per token where its signature is checked. In `auto`, verifications overlap when one
 * starts while a pool check is out, or while another started in the same turn of the event loop
 * (`Promise.all` over a batch, many callers resumed together). A synchronous check cannot see
 * callers that arrive in later turns, so every 64th token also probes the pool: tokens arriving
 * while it is out go to the pool too, which keeps the pool in use exactly as long as
 * verifications overlap. A caller that awaits each verification before the next sees pool
 * checks ever further apart (after 64 tokens, then 128 more, 256 more… up to 4,096) and inline
 * checks otherwise.
 */
export class SignatureScheduler {
  readonly #mode: SignatureThreads
  readonly #maxInThreadPool: number
  #inThreadPool = 0
  #probeInterval = FIRST_PROBE_INTERVAL
  #untilProbe = FIRST_PROBE_INTERVAL
  /** Whether a token went to the pool because another verification was under way. */
  #overlapSeen = false
  #startedThisTurn = false
  readonly #settled = () => {
    if (--this.#inThreadPool > 0) return
    // The pool has drained: probe again soon if verifications overlapped, later if they did not.
    this.#probeInterval = this.#overlapSeen
      ? FIRST_PROBE_INTERVAL
      : Math.min(this.#probeInterval * 2, LONGEST_PROBE_INTERVAL)
    this.#untilProbe = this.#probeInterval
    this.#overlapSeen = false
  }
  readonly #endTurn = () => {
    this.#startedThisTurn = false
  }

  constructor(mode: SignatureThreads, threadPoolSize = threadPoolSizeOf(process.env)) {
    this.#mode = mode
    this.#maxInThreadPool = threadPoolSize * QUEUED_PER_THREAD
  }

  /** `true` / `false` when checked inline, a promise of it when checked in the pool. */
  check(
    key: VerificationKey,
    alg: JwsAlgorithm,
    signingInput: string,
    signature: Buffer,
  ): boolean | Promise<boolean> {
    if (
      this.#mode === 'inline' ||
      this.#inThreadPool >= this.#maxInThreadPool ||
      (this.#mode === 'auto' && !this.#overlapping())
    ) {
      return verifySignature(key, alg, signingInput, signature)
    }
    this.#inThreadPool++
    const verdict = verifySignatureInThreadPool(key, alg, signingInput, signature)
    void verdict.then(this.#settled)
    return verdict
  }

  #overlapping(): boolean {
    if (this.#inThreadPool > 0 || this.#startedThisTurn) {
      this.#overlapSeen = true
      return true
    }
    // Cleared once the current job and everything it queued have run.
    this.#startedThisTurn = true
    queueMicrotask(this.#endTurn)
    // The probe; `#settled` sets the next interval once the pool drains.
    return --this.#untilProbe <= 0
  }
}

/** libuv's thread pool size: `UV_THREADPOOL_SIZE` (1–1024), 4 by default. */
export function threadPoolSizeOf(env: NodeJS.ProcessEnv): number {
  const size = Number(env.UV_THREADPOOL_SIZE)
  return Number.isInteger(size) && size >= 1 ? Math.min(size, 1024) : 4
}
