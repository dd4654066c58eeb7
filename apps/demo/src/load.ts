import { call } from './http.js'
import type { TokenSource } from './token-source.js'

export interface LoadTarget {
  readonly name: string
  /** The protected URL to call, e.g. `${api}/me`. */
  readonly url: string
  readonly tokens: TokenSource
}

export interface LoadResult {
  requests: number
  failures: number
  /** A few failed answers, e.g. `401 invalid_token`. */
  readonly failureSamples: string[]
  /** Key ids that verified the answered requests, in the order they first appeared. */
  readonly kids: string[]
}

/**
 * Calls every target in a loop from several workers until stopped: each request carries the
 * client's current token, and a non-200 answer counts as a failure.
 *
 * @example
 * ```ts
 * const load = startLoad(targets, 3)
 * const results = await load.stop()
 * ```
 */
export function startLoad(
  targets: readonly LoadTarget[],
  workersPerTarget: number,
): { stop(): Promise<Map<string, LoadResult>> } {
  const stopped = new AbortController()
  const results = new Map<string, LoadResult>()
  const workers: Promise<void>[] = []
  for (const target of targets) {
    const result: LoadResult = { requests: 0, failures: 0, failureSamples: [], kids: [] }
    results.set(target.name, result)
    for (let i = 0; i < workersPerTarget; i++) {
      workers.push(
        (async () => {
          while (!stopped.signal.aborted) {
            const answer = await call(target.url, { token: await target.tokens.get() }).catch(
              (error: unknown) => ({ status: 0, error: String(error), body: undefined }),
            )
            result.requests += 1
            if (answer.status === 200) {
              const kid = (answer.body as { kid?: unknown } | undefined)?.kid
              if (typeof kid === 'string' && !result.kids.includes(kid)) result.kids.push(kid)
            } else {
              result.failures += 1
              if (result.failureSamples.length < 3) {
                result.failureSamples.push(`${answer.status} ${answer.error ?? ''}`.trim())
              }
            }
          }
        })(),
      )
    }
  }
  return {
    async stop() {
      stopped.abort()
      await Promise.all(workers)
      return results
    },
  }
}
