import { clip, clipUrl, type EventSink } from './events.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import { LruMap } from './lru-map.js'
import type { ResolvedIssuer, ResolvedTenants } from './resolve-options.js'

/** The tenant issuers in `health()`: how many are kept, out of how many allowed. */
export interface TenantCacheHealth {
  /** Tenant issuers with a key source now (listed in `issuers`). */
  readonly cached: number
  /** `tenantCacheSize`. */
  readonly capacity: number
  /** Tenant issuers evicted since the verifier started. */
  readonly evicted: number
}

/**
 * The runtimes of tenant issuers, created on a trusted issuer's first token and kept, least
 * recently used evicted first, up to `tenantCacheSize`. Trust comes from the resolver alone and
 * costs no I/O: an `iss` it does not trust creates nothing and fetches nothing, so any number
 * of invented issuers leaves the cache, the memory and the network as they were. An evicted
 * runtime is retired (its key source closed, its cached verifications verified afresh); one
 * holding an operator's revocation is kept, so churn cannot lift a revocation.
 *
 * @example
 * ```ts
 * const tenants = new TenantIssuerCache(resolved.tenants, (config) => createIssuerRuntime(...), events)
 * const runtime = tenants.get(claims.iss) // undefined: not trusted
 * ```
 */
export class TenantIssuerCache {
  readonly #resolve: ResolvedTenants['resolve']
  readonly #capacity: number
  readonly #create: (config: ResolvedIssuer) => IssuerRuntime
  readonly #events: EventSink
  readonly #runtimes: LruMap<string, IssuerRuntime>
  #evicted = 0

  constructor(
    tenants: ResolvedTenants,
    create: (config: ResolvedIssuer) => IssuerRuntime,
    events: EventSink,
  ) {
    this.#resolve = tenants.resolve
    this.#capacity = tenants.cacheSize
    this.#create = create
    this.#events = events
    this.#runtimes = new LruMap(tenants.cacheSize, {
      evict: (issuer, runtime) => {
        this.#retire(issuer, runtime)
      },
      keep: (runtime) => runtime.keys.hasRevocations(),
    })
  }

  /** The runtime of a trusted issuer (created now if it has none), or `undefined`. */
  get(iss: string): IssuerRuntime | undefined {
    const cached = this.#runtimes.get(iss)
    if (cached !== undefined) return cached
    const answer = this.#resolve(iss)
    if (!answer.trusted) {
      if (answer.failure !== undefined) {
        this.#events.emit({
          type: 'issuer_resolver_failed',
          issuer: clip(iss),
          reason: answer.failure,
        })
      }
      return undefined
    }
    const runtime = this.#create(answer.config)
    this.#runtimes.set(iss, runtime)
    return runtime
  }

  /** The runtime of a cached issuer, without creating one or counting a use. */
  peek(iss: string): IssuerRuntime | undefined {
    return this.#runtimes.peek(iss)
  }

  cached(): IssuerRuntime[] {
    return [...this.#runtimes.values()]
  }

  health(): TenantCacheHealth {
    return { cached: this.#runtimes.size, capacity: this.#capacity, evicted: this.#evicted }
  }

  close(): void {
    for (const runtime of this.#runtimes.values()) runtime.keys.close()
  }

  #retire(issuer: string, runtime: IssuerRuntime): void {
    runtime.retired = true
    runtime.keys.close()
    this.#evicted++
    this.#events.emit({ type: 'tenant_issuer_evicted', issuer: clipUrl(issuer) })
  }
}
