/** Requests for one kind of key-distribution document, split by outcome. */
export interface RequestCounts {
  /** Answered by the provider. */
  served: number
  /** Turned away by the simulated outage (503 or hung). */
  refused: number
}

/** Per `User-Agent`: how often each verifier asked for discovery metadata and the JWKS. */
export type MetadataStats = Record<string, { jwks: RequestCounts; metadata: RequestCounts }>

/**
 * Counts JWKS and discovery requests per `User-Agent`, so a demo can show how many fetches each
 * API made (keyward's demo APIs send a distinct `User-Agent` through `fetchHeaders`).
 *
 * @example
 * ```ts
 * const stats = new MetadataCounter()
 * stats.count('keyward-demo/express-api', 'jwks', 'served')
 * stats.snapshot()['keyward-demo/express-api']?.jwks.served // 1
 * ```
 */
export class MetadataCounter {
  readonly #byAgent = new Map<string, { jwks: RequestCounts; metadata: RequestCounts }>()

  count(userAgent: string, document: 'jwks' | 'metadata', outcome: keyof RequestCounts): void {
    let entry = this.#byAgent.get(userAgent)
    if (entry === undefined) {
      entry = { jwks: { served: 0, refused: 0 }, metadata: { served: 0, refused: 0 } }
      this.#byAgent.set(userAgent, entry)
    }
    entry[document][outcome] += 1
  }

  snapshot(): MetadataStats {
    return Object.fromEntries(
      [...this.#byAgent].map(([agent, { jwks, metadata }]) => [
        agent,
        { jwks: { ...jwks }, metadata: { ...metadata } },
      ]),
    )
  }
}
