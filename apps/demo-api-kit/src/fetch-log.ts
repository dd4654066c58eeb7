import type { FetchCause, KeywardEvent } from '@keyward/core'

/** Key fetches started by one verifier, by cause. */
export type FetchCounts = Record<FetchCause, number>

/**
 * Listens to a verifier's events: counts key fetches by cause (so the demo can show that an
 * overlapping rotation causes no `unknown_kid` refresh) and writes one log line per notable event.
 *
 * @example
 * ```ts
 * const log = new KeyFetchLog('express-api')
 * const verifier = createVerifier({ issuer, audience, onEvent: log.onEvent })
 * log.counts().scheduled
 * ```
 */
export class KeyFetchLog {
  readonly #service: string
  readonly #write: (line: string) => void
  readonly #counts: FetchCounts = {
    initial: 0,
    warmup: 0,
    scheduled: 0,
    retry: 0,
    unknown_kid: 0,
    manual: 0,
  }

  constructor(service: string, write: (line: string) => void = console.log) {
    this.#service = service
    this.#write = write
  }

  counts(): FetchCounts {
    return { ...this.#counts }
  }

  readonly onEvent = (event: KeywardEvent): void => {
    switch (event.type) {
      case 'jwks_fetch_start':
        this.#counts[event.cause] += 1
        return
      case 'jwks_fetch_success':
        this.#log(`keys fetched (${event.cause}): ${event.keyIds.join(', ')}`)
        return
      case 'jwks_fetch_failure':
        this.#log(
          `key fetch failed (${event.cause}): ${event.reason}${event.httpStatus === undefined ? '' : ` ${event.httpStatus}`}, ` +
            `retry in ${Math.round(event.retryInMs)} ms, last-known-good: ${event.servingLastKnownGood ? 'yes' : 'no'}`,
        )
        return
      case 'jwks_keys_rotated':
        this.#log(`keys changed: +[${event.added.join(', ')}] -[${event.removed.join(', ')}]`)
        return
      case 'jwks_stale_begin':
      case 'jwks_stale_end':
        this.#log(event.type === 'jwks_stale_begin' ? 'keys stale' : `keys ${event.outcome}`)
        return
      case 'token_rejected':
        this.#log(
          `token rejected: ${event.code} (client ${event.clientId ?? '?'}, kid ${event.kid ?? '?'})`,
        )
        return
      default:
        return
    }
  }

  #log(message: string): void {
    this.#write(`[${this.#service}] ${message}`)
  }
}
