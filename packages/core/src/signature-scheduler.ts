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

/** One token in this many goes to the pool in `auto`, to find out whether requests overlap. */
const PROBE_INTERVAL = 64

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
 * verifications overlap. A caller that awaits each verification before the next sees one pool
 * check in 64 and inline checks otherwise.
 */
export class SignatureScheduler {
  readonly #mode: SignatureThreads
  readonly #maxInThreadPool: number
  #inThreadPool = 0
  #untilProbe = PROBE_INTERVAL
  #startedThisTurn = false
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
    void verdict.then(() => {
      this.#inThreadPool--
    })
    return verdict
  }

  #overlapping(): boolean {
    if (this.#inThreadPool > 0 || this.#startedThisTurn) return true
    // Cleared once the current job and everything it queued have run.
    this.#startedThisTurn = true
    queueMicrotask(this.#endTurn)
    if (--this.#untilProbe > 0) return false
    this.#untilProbe = PROBE_INTERVAL
    return true
  }
}

/** libuv's thread pool size: `UV_THREADPOOL_SIZE` (1–1024), 4 by default. */
export function threadPoolSizeOf(env: NodeJS.ProcessEnv): number {
  const size = Number(env.UV_THREADPOOL_SIZE)
  return Number.isInteger(size) && size >= 1 ? Math.min(size, 1024) : 4
}
