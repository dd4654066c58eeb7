import { DEFAULT_ALGORITHMS } from './algorithms.js'
import type { FetchFunction } from './fetch-json.js'
import type { KeywardLogger } from './logger.js'

/**
 * Every default of keyward's options, in one frozen table. Option resolution takes its defaults
 * from here and nowhere else; `test/defaults.test.ts` checks every `@defaultValue` in
 * `options.ts` and every default stated in the packages' READMEs against it.
 *
 * Three defaults are derived rather than fixed, from the options actually given:
 * `jwks.cacheFloorMs` is at most `jwks.cacheMaxAgeMs` and `jwks.cacheCeilingMs` at least it (a
 * user asking for 5-second freshness gets 5 seconds, not the floor's minute), and
 * `jwks.retryInitialDelayMs` is at most `jwks.retryMaxDelayMs`. The values here are what applies
 * when none of them is set.
 *
 * `now`, `random` and `jwks.fetch` are read when a verifier is created, so a test runner's fake
 * clock or a fetch installed later is the one used.
 */
export const DEFAULTS = Object.freeze({
  // One issuer's options.
  algorithms: DEFAULT_ALGORITHMS,
  /** Accepted `typ` values when none are configured; a token without `typ` is accepted too. */
  typ: Object.freeze(['at+jwt', 'JWT']),
  requiredClaims: Object.freeze([]),
  fetchHeaders: Object.freeze({}) as Readonly<Record<string, string>>,
  jwksOrigins: Object.freeze<string[]>([]),

  // Settings shared by every issuer of a verifier.
  clockToleranceMs: 30_000,
  maxTokenBytes: 8192,
  verifiedTokenCacheSize: 1000,
  tenantCacheSize: 100,
  signatureThreads: 'auto',
  allowQueryToken: false,
  allowBodyToken: false,
  /** The deadline of a hook answering with a promise: `validate`, `isRevoked`, `claimCheck`. */
  hookTimeoutMs: 1000,
  /** `Retry-After` of `revocation_unavailable`. */
  revocationRetryAfterMs: 5000,
  singleUseTokens: false,
  dangerouslyAllowInsecureHttp: false,
  /** Read when a verifier is created, so a console replaced later is the one used. */
  get logger(): KeywardLogger {
    return console
  },
  get now(): () => number {
    return Date.now
  },
  get random(): () => number {
    return Math.random
  },

  jwks: Object.freeze({
    timeoutMs: 5000,
    maxBytes: 512 * 1024,
    maxKeys: 100,
    cacheMaxAgeMs: 600_000,
    cacheFloorMs: 60_000,
    cacheCeilingMs: 3_600_000,
    cooldownMs: 30_000,
    maxStaleMs: 86_400_000,
    retryInitialDelayMs: 1000,
    retryMaxDelayMs: 300_000,
    refreshBudget: 10,
    refreshBudgetWindowMs: 60_000,
    admitKeyTimeoutMs: 1000,
    /** 90 days. */
    maxKeyAgeMs: 7_776_000_000,
    minKeyNoticeMs: 60_000,
    get fetch(): FetchFunction {
      // Bound: some runtimes' fetch throws when called with another `this`.
      return globalThis.fetch.bind(globalThis)
    },
  }),

  /** DPoP (RFC 9449), once `dpop` is given. */
  dpop: Object.freeze({
    mode: 'allowed',
    trustProxy: false,
    algorithms: DEFAULT_ALGORITHMS,
    maxProofAgeMs: 60_000,
    clockToleranceMs: 5000,
    maxProofBytes: 4096,
    nonce: false,
  }),
  /** Server-provided DPoP nonces, once `dpop.nonce` is given. */
  dpopNonce: Object.freeze({
    windowMs: 300_000,
  }),

  /** The options of `verifier.authenticate`, which the adapters' `bearerAuth` passes on. */
  authenticate: Object.freeze({
    optional: false,
  }),

  /** The options of `protectedResourceMetadata`. */
  protectedResourceMetadata: Object.freeze({
    bearerMethodsSupported: Object.freeze(['header']),
  }),
} as const)
