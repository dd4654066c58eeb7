import { JwksUriDiscovery } from './discovery.js'
import type { EventSink } from './events.js'
import { scopedFetchHeaders } from './fetch-headers.js'
import { JwksKeySource } from './jwks-key-source.js'
import type { OperatorLog } from './operator-log.js'
import type { RefreshBudget } from './refresh-budget.js'
import type { ResolvedIssuer, ResolvedJwks } from './resolve-options.js'
import { SpiffeBundle } from './spiffe-bundle.js'

/** One trusted issuer at run time: its policy, its key source and its discovery. */
export interface IssuerRuntime {
  readonly config: ResolvedIssuer
  readonly keys: JwksKeySource
  readonly discovery: JwksUriDiscovery | undefined
  /** A tenant issuer (from an `issuers` resolver), created on its first token. */
  readonly tenant: boolean
  /**
   * Evicted from the tenant cache: its key source is closed, and verifications cached under it
   * are verified afresh (with a new runtime).
   */
  retired: boolean
}

/** What every issuer of one verifier shares. */
export interface SharedIssuerParts {
  readonly jwks: ResolvedJwks
  readonly budget: RefreshBudget
  readonly events: EventSink
  /** keyward's operator log lines (the `logger` option). */
  readonly log: OperatorLog
  /** `dangerouslyAllowInsecureHttp` is on: an `http:` issuer may name an `http:` jwks_uri. */
  readonly allowHttp: boolean
  readonly now: () => number
  readonly random: () => number
}

/**
 * Builds one issuer's runtime. Each issuer gets its own key source and discovery, so keys never
 * cross issuers; the refresh budget is the one thing they share. A tenant issuer's first fetch
 * also spends from the budget: tenants come and go with traffic, and a stream of tokens naming
 * allowed tenants must not become a stream of fetches.
 */
export function createIssuerRuntime(
  config: ResolvedIssuer,
  shared: SharedIssuerParts,
  tenant: boolean,
): IssuerRuntime {
  const { jwks, events, now } = shared
  // A static SPIFFE bundle brings its own fetch; every other issuer uses `jwks.fetch`.
  const fetch = config.fetch ?? jwks.fetch
  const headers = scopedFetchHeaders({
    issuer: config.issuer,
    jwksUri: config.jwksUri,
    jwksOrigins: config.jwksOrigins,
    headers: config.fetchHeaders,
  })
  const discovery =
    config.jwksUri === undefined
      ? new JwksUriDiscovery({
          issuer: config.issuer,
          jwksOrigins: config.jwksOrigins,
          fetch,
          headers,
          timeoutMs: jwks.timeoutMs,
          maxBytes: jwks.maxBytes,
          cacheMaxAgeMs: jwks.cacheMaxAgeMs,
          cacheFloorMs: jwks.cacheFloorMs,
          cacheCeilingMs: jwks.cacheCeilingMs,
          maxStaleMs: jwks.maxStaleMs,
          events,
          now,
          allowHttp: shared.allowHttp,
        })
      : undefined
  const keys = new JwksKeySource({
    issuer: config.issuer,
    jwksUri: discovery?.resolve ?? config.jwksUri ?? '',
    fetch,
    headers,
    timeoutMs: jwks.timeoutMs,
    maxBytes: jwks.maxBytes,
    maxKeys: jwks.maxKeys,
    cacheMaxAgeMs: jwks.cacheMaxAgeMs,
    cacheFloorMs: jwks.cacheFloorMs,
    cacheCeilingMs: jwks.cacheCeilingMs,
    cooldownMs: jwks.cooldownMs,
    maxStaleMs: jwks.maxStaleMs,
    backoff: { initialDelayMs: jwks.retryInitialDelayMs, maxDelayMs: jwks.retryMaxDelayMs },
    budget: shared.budget,
    firstFetchBudgeted: tenant,
    admission: { ...config.keys, timeoutMs: jwks.admitKeyTimeoutMs },
    maxKeyAgeMs: jwks.maxKeyAgeMs,
    minKeyNoticeMs: jwks.minKeyNoticeMs,
    events,
    log: shared.log,
    now,
    random: shared.random,
    document:
      config.workload?.kind === 'spiffe'
        ? new SpiffeBundle({
            trustDomain: config.workload.trustDomain,
            source: config.jwksUri ?? config.issuer,
            events,
          })
        : undefined,
  })
  return { config, keys, discovery, tenant, retired: false }
}
