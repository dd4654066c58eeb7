import type { JwsAlgorithm } from './algorithms.js'
import type { KeywardEvent } from './events.js'
import type { FetchFunction } from './fetch-json.js'
import type { HookSettings } from './hook-options.js'
import type { TokenSourceSettings } from './token-sources.js'
import type { JwksProxy } from './outbound-network.js'
import type { AdmitKey } from './key-admission.js'
import type { KeywardLogger } from './logger.js'
import type { ProtectedResourceMetadata } from './protected-resource-metadata.js'
import type { ReplayStore } from './replay-store.js'
import type { ScopeHierarchy } from './scopes.js'
import type { SignatureThreads } from './signature-scheduler.js'
import type { IssuerResolver, TenantIssuers } from './tenant-issuers.js'
import type { KubernetesOptions } from './kubernetes-options.js'
import type { SpiffeOptions } from './spiffe-options.js'

/** How keys are fetched and cached. Every duration is in milliseconds. */
export interface JwksOptions {
  /**
   * Deadline for one fetch, covering connection, headers and the whole body.
   * @defaultValue 5000
   */
  readonly timeoutMs?: number
  /**
   * Largest accepted body, counted after decompression.
   * @defaultValue 524288 (512 KiB)
   */
  readonly maxBytes?: number
  /**
   * Keys read from one document; the rest are dropped with `too_many_keys`.
   * @defaultValue 100
   */
  readonly maxKeys?: number
  /**
   * How long keys are fresh when the response has no `Cache-Control: max-age`. Must lie between
   * `cacheFloorMs` and `cacheCeilingMs` when those are given.
   * @defaultValue 600000 (10 minutes), moved inside `cacheFloorMs` and `cacheCeilingMs` when
   * those are given
   */
  readonly cacheMaxAgeMs?: number
  /**
   * Shortest freshness, whatever the response says (`no-store` and `no-cache` included), so a
   * hostile or careless header cannot turn every request into a fetch.
   * @defaultValue 60000 (1 minute), or `cacheMaxAgeMs` when that is shorter
   */
  readonly cacheFloorMs?: number
  /**
   * Longest freshness, whatever the response says, so removed keys are noticed.
   * @defaultValue 3600000 (1 hour), or `cacheMaxAgeMs` when that is longer
   */
  readonly cacheCeilingMs?: number
  /**
   * Minimum time between two refreshes caused by unknown key ids, per issuer.
   * @defaultValue 30000
   */
  readonly cooldownMs?: number
  /**
   * How long last-known-good keys keep verifying after their freshness ended while every
   * refresh fails. Past it, requests get `jwks_unavailable` (503).
   * @defaultValue 86400000 (24 hours)
   */
  readonly maxStaleMs?: number
  /**
   * First retry delay after a failed fetch; doubles per failure, with jitter.
   * @defaultValue 1000, or `retryMaxDelayMs` when that is shorter
   */
  readonly retryInitialDelayMs?: number
  /**
   * Largest retry delay; also caps a server's `Retry-After`.
   * @defaultValue 300000 (5 minutes), or `retryInitialDelayMs` when that is longer
   */
  readonly retryMaxDelayMs?: number
  /**
   * Unknown-`kid` refreshes allowed per `refreshBudgetWindowMs`, across all issuers of a
   * verifier.
   * @defaultValue 10
   */
  readonly refreshBudget?: number
  /**
   * The window `refreshBudget` counts in.
   * @defaultValue 60000
   */
  readonly refreshBudgetWindowMs?: number
  /**
   * The `fetch` used for keys and metadata. For proxies, custom CAs, tests and special runtimes.
   * @defaultValue globalThis.fetch
   */
  readonly fetch?: FetchFunction
  /**
   * Sends key and metadata fetches through an HTTP proxy (a `CONNECT` tunnel for `https:`):
   * `'env'` honours `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (lower-case spellings first),
   * read on the first fetch; `{ url, noProxy? }` names the proxy. Uses undici's `fetch` with a
   * connection pool of the verifier's own (nothing global changes). A `TypeError` with
   * `fetch`.
   */
  readonly proxy?: JwksProxy
  /**
   * Certificate authorities trusted for key and metadata fetches besides Node's root store:
   * PEM text (one certificate or a bundle), a Buffer of it, or a list. Each certificate is
   * parsed at construction. A `TypeError` with `fetch`.
   */
  readonly extraCaCerts?: string | Buffer | readonly (string | Buffer)[]
  /**
   * How long an issuer's `admitKey` hook may take to answer for one key. No answer in time
   * refuses the key (`admission_failed`). The questions of one fetch run in parallel, so a fetch
   * waits at most this long for them.
   * @defaultValue 1000
   */
  readonly admitKeyTimeoutMs?: number
  /**
   * A key trusted for longer than this, counted from when this verifier first fetched it, is
   * overdue for rotation: a `jwks_key_rotation_overdue` event (once per key) and
   * `hygiene.rotationOverdue` in `health()`. Nothing is refused for it.
   * @defaultValue 7776000000 (90 days)
   */
  readonly maxKeyAgeMs?: number
  /**
   * A token signed with a key first fetched less than this before is a rotation without
   * pre-publication: a `jwks_key_unannounced` event and `hygiene.unannouncedKeys` in `health()`.
   * Keys of the first fetch are never judged (when they were published is unknown). `0` turns
   * the signal off.
   * @defaultValue 60000
   */
  readonly minKeyNoticeMs?: number
}

/**
 * Whether DPoP (RFC 9449) is accepted: `'off'` (Bearer only), `'allowed'` (Bearer and DPoP) or
 * `'required'` (DPoP only). Whatever the mode, a sender-constrained token (one with `cnf`) sent
 * as `Bearer` is refused (RFC 9449 §7.2).
 */
export type DpopMode = 'off' | 'allowed' | 'required'

/** Server-provided DPoP nonces (RFC 9449 §8, §9). */
export interface DpopNonceOptions {
  /**
   * HMAC key of the nonces, at least 32 bytes. Give every instance of a fleet the same one, so
   * a nonce from one is accepted by all. Without it, 32 random bytes per verifier.
   */
  readonly secret?: Uint8Array | string
  /**
   * How long one nonce is issued; each is accepted for its window and the next.
   * @defaultValue 300000 (5 minutes)
   */
  readonly windowMs?: number
}

/**
 * DPoP (RFC 9449): sender-constrained tokens, each request carrying a fresh proof signed with
 * the client's key. Configuring it turns it on, in `mode` `'allowed'` by default.
 */
export interface DpopOptions {
  /**
   * Default mode of every issuer (each may override it with `dpopMode`).
   * @defaultValue 'allowed'
   */
  readonly mode?: DpopMode
  /**
   * The resource's public base URL (`https://api.example.com`, or with a path prefix): the
   * request's URI that `htu` must name is this plus the path the server received. Required
   * unless `trustProxy`: `Host` is written by the client.
   */
  readonly publicBaseUrl?: string
  /**
   * Build the request's origin from `X-Forwarded-Proto` and `X-Forwarded-Host` (else `Host`):
   * only behind a proxy that sets them and strips the client's. Contradicts `publicBaseUrl`.
   * @defaultValue false
   */
  readonly trustProxy?: boolean
  /**
   * Accepted proof algorithms, advertised as `algs` in the `DPoP` challenge.
   * @defaultValue every supported asymmetric algorithm: RS256, RS384, RS512, PS256, PS384,
   * PS512, ES256, ES384, ES512, EdDSA, Ed25519
   */
  readonly algorithms?: readonly JwsAlgorithm[]
  /**
   * How old a proof's `iat` may be (RFC 9449 §11.1: a short window bounds what the replay store
   * must hold).
   * @defaultValue 60000
   */
  readonly maxProofAgeMs?: number
  /**
   * Allowed clock skew around a proof's `iat`, both ways.
   * @defaultValue 5000
   */
  readonly clockToleranceMs?: number
  /**
   * Longest accepted `DPoP` header, checked before any decoding.
   * @defaultValue 4096
   */
  readonly maxProofBytes?: number
  /**
   * Require server-provided nonces: `true` for a random secret, or the nonce settings.
   * @defaultValue false
   */
  readonly nonce?: boolean | DpopNonceOptions
}

/** One trusted token issuer and what its tokens must satisfy. */
export interface IssuerOptions {
  /** Compared with `iss` exactly: no trailing-slash or case folding. */
  readonly issuer: string
  /**
   * Accepted `aud` values; a token must name at least one. `null` turns the check off: an
   * explicit, documented opt-out for issuers that do not set `aud` (RFC 9068 requires it).
   */
  readonly audience: string | readonly string[] | null
  /**
   * The issuer's JWKS. `https:` only, except loopback hosts (`127.0.0.0/8`, `::1`, `localhost`;
   * not names under `.localhost`, which may go to DNS). When omitted, it is discovered from the
   * issuer's metadata: OpenID Connect Discovery (`/.well-known/openid-configuration` appended),
   * then RFC 8414 (`/.well-known/oauth-authorization-server` inserted before the path). The
   * document is accepted only if its `issuer` is identical to this one and its `jwks_uri` is
   * safe to call: `https:` (plain `http:` on loopback only for an `http:` loopback issuer), and
   * for an issuer on a public host not an internal IP literal or a `localhost` name.
   */
  readonly jwksUri?: string
  /**
   * Extra request headers of this issuer's fetches (a `User-Agent`, an API key for a gateway).
   * Sent to the issuer's own origin (metadata, and a JWKS there), to an explicit `jwksUri`, and
   * to the origins in `jwksOrigins`; never to a discovered `jwks_uri` on another origin, and
   * never to another issuer's endpoints.
   * @defaultValue `{}`
   */
  readonly fetchHeaders?: Readonly<Record<string, string>>
  /**
   * Origins other than the issuer's own (`https://keys.example.com`) trusted with this issuer's
   * keys when its `jwks_uri` is discovered. The discovered `jwks_uri` may move to one of them
   * (a move to any other origin is refused and the previous URI kept); when the list is given,
   * the first discovery must also be on the issuer's origin or a listed one; `fetchHeaders` are
   * sent there; and a listed origin is trusted like an explicit `jwksUri`, internal hosts
   * included. Only for discovery: with `jwksUri`, it is a `TypeError`.
   * @defaultValue `[]`
   */
  readonly jwksOrigins?: readonly string[]
  /**
   * Accepted JWS algorithms. When exactly one RSA algorithm is listed, it is also the one
   * algorithm of this issuer's RSA keys whose JWK names no `alg` (otherwise RS256).
   * @defaultValue every supported asymmetric algorithm: RS256, RS384, RS512, PS256, PS384,
   * PS512, ES256, ES384, ES512, EdDSA, Ed25519
   */
  readonly algorithms?: readonly JwsAlgorithm[]
  /**
   * Accepted `typ` header values (case-insensitive, `application/` optional). When set, `typ`
   * is required.
   * @defaultValue `at+jwt` or `JWT`, or no `typ` at all
   */
  readonly typ?: string | readonly string[]
  /**
   * `'rfc9068'`: strict JWT access token profile (RFC 9068): `typ` must be `at+jwt` and `iss`,
   * `exp`, `aud`, `sub`, `client_id`, `iat` and `jti` are required; `sub`, `client_id` and `jti`
   * must be non-empty strings of at most 255 characters. A `typ` other than `at+jwt`, or
   * `audience: null`, contradicts it (a `TypeError`).
   */
  readonly profile?: 'rfc9068'
  /**
   * Claims that must be present (not `undefined` or `null`).
   * @defaultValue `[]`
   */
  readonly requiredClaims?: readonly string[]
  /**
   * The keys you manage: RFC 7638 JWK thumbprints (SHA-256, base64url, 43 characters). Only
   * keys of the issuer's JWKS with one of these thumbprints verify; any other published key is
   * dropped with reason `unmanaged_key`, and its tokens get `unknown_key` (401) without a
   * refetch. Checked at construction.
   */
  readonly trustedKeys?: readonly string[]
  /**
   * Decides, when a fetched JWKS brings a key, whether it may verify: receives the key's
   * public description (`kid`, `thumbprint`, `kty`, `crv`, `bits`, `alg`, `x5cSubject`) and
   * answers `true` or `false`, or a promise of one. Asked once per key (a key admitted before
   * and still published is not asked again), never per request, and only for keys
   * `trustedKeys` allows. `false` drops the key (`unmanaged_key`); a throw, a rejection, an
   * answer that is not a boolean or none within `jwks.admitKeyTimeoutMs` drops it too
   * (`admission_failed`).
   */
  readonly admitKey?: AdmitKey
  /** This issuer's DPoP mode, overriding `dpop.mode` (which is `'off'` without `dpop`). */
  readonly dpopMode?: DpopMode
}

/**
 * Options of {@link createVerifier}: one issuer's options inline, or several under `issuers`.
 * Validated once, at construction: a wrong type, an unknown or misspelt name (with the name
 * meant, for a near miss) and two options that contradict each other each throw a `TypeError`
 * naming the option. Defaults: `DEFAULTS` in `defaults.ts`.
 */
export type VerifierOptions = VerifierSettings &
  WorkloadOptions &
  (
    | (IssuerOptions & { readonly issuers?: undefined })
    | {
        /**
         * Several trusted issuers; a token's `iss` picks one before any network I/O. Or, for
         * many tenants of one pattern, a resolver: a {@link TenantIssuers} template with its
         * allowlist of `tenants`, or an {@link IssuerResolver} function from `iss` to issuer
         * options. A resolver's issuers get their key sources on their first token, at most
         * `tenantCacheSize` at once.
         */
        readonly issuers: readonly IssuerOptions[] | TenantIssuers | IssuerResolver
        readonly issuer?: undefined
      }
    | ((
        Required<Pick<WorkloadOptions, 'spiffe'>> | Required<Pick<WorkloadOptions, 'kubernetes'>>
      ) & {
        readonly issuer?: undefined
        readonly issuers?: undefined
      })
  )

/**
 * Workload credentials a verifier accepts besides (or instead of) OAuth access tokens. Each
 * becomes issuers of its own: `health()`, `refresh()` and `revokeKey()` name a SPIFFE trust
 * domain by its ID, `spiffe://<trust domain>`, and a Kubernetes cluster by its issuer.
 */
export interface WorkloadOptions {
  /**
   * SPIFFE JWT-SVIDs of these trust domains. A token whose `iss` names no configured issuer is
   * a JWT-SVID when it has no `iss` or its `sub` is a `spiffe:` URI: its `sub` must be a SPIFFE
   * ID (`invalid_spiffe_id`) of a configured trust domain (`untrusted_trust_domain`), and it is
   * verified with that trust domain's bundle alone.
   */
  readonly spiffe?: SpiffeOptions
  /**
   * Kubernetes service-account tokens of these clusters (one, or a list), each verified with
   * its cluster's keys: the `kubernetes.io` claims must name the `sub`'s namespace and service
   * account (`invalid_claim` otherwise), and `VerifiedToken.kubernetes` names them.
   */
  readonly kubernetes?: KubernetesOptions
}

/**
 * Settings shared by every issuer of a verifier. The hooks on verified tokens (`validate`, …)
 * are documented in `hook-options.ts`, the token sources (`cookie`, `getToken`) in
 * `token-sources.ts`.
 */
export interface VerifierSettings extends HookSettings, TokenSourceSettings {
  /**
   * Allowed clock skew for `exp`, `nbf` and `iat`.
   * @defaultValue 30000
   */
  readonly clockToleranceMs?: number
  /** Reject tokens whose `iat` is older than this (requires `iat`). */
  readonly maxTokenAgeMs?: number
  /** Reject tokens whose `exp - iat` exceeds this (requires `iat`). */
  readonly maxTokenLifetimeMs?: number
  /**
   * Longest accepted token, checked before any decoding.
   * @defaultValue 8192
   */
  readonly maxTokenBytes?: number
  /** Key fetching and caching. */
  readonly jwks?: JwksOptions
  /**
   * Successful verifications remembered, keyed by the exact token; time claims are re-checked
   * on every hit and an entry dies with its key. `0` turns the cache off.
   * @defaultValue 1000
   */
  readonly verifiedTokenCacheSize?: number
  /**
   * With an `issuers` resolver (a tenant template or a function): how many tenant issuers keep
   * a key source at once. The least recently used is evicted first (its key source closed; a
   * later token of that tenant starts again with a fetch). Tenants with a revocation in force
   * are never evicted. A `TypeError` without a resolver.
   * @defaultValue 100
   */
  readonly tenantCacheSize?: number
  /**
   * Where signatures are checked. `'inline'`: synchronous `crypto.verify` on the event loop,
   * the cheapest call. `'threadPool'`: in libuv's thread pool, so other cores do the arithmetic
   * while the event loop serves other requests (size it with `UV_THREADPOOL_SIZE`). `'auto'`:
   * inline while verifications come one at a time, the thread pool while they overlap.
   * @defaultValue 'auto'
   */
  readonly signatureThreads?: SignatureThreads
  /** `realm` of every `WWW-Authenticate` challenge (RFC 6750 §3). Printable ASCII, no quotes. */
  readonly realm?: string
  /**
   * RFC 9728 protected resource metadata from {@link protectedResourceMetadata}: every 401 and
   * 403 challenge then carries `resource_metadata="<its url>"`.
   */
  readonly resourceMetadata?: ProtectedResourceMetadata
  /** The `resource_metadata` URL alone, when the document is served elsewhere. */
  readonly resourceMetadataUrl?: string
  /**
   * Scopes every 401 challenge names in `scope` (RFC 6750 §3), so a client asks for what the
   * resource needs and no more: MCP clients take a 401's `scope` before the metadata's
   * `scopes_supported`. A route overrides it with the `challengeScopes` option of `bearerAuth`
   * (Nest: its `@Scopes()`), and a scope check's own 401 names the scopes it requires.
   * RFC 6749 §3.3 scope-tokens; `offline_access` is refused (a resource never asks for it).
   */
  readonly challengeScopes?: readonly string[]
  /**
   * Accept `?access_token=` (RFC 6750 §2.3; OAuth 2.1 and MCP forbid it).
   * @defaultValue false
   */
  readonly allowQueryToken?: boolean
  /**
   * Accept an `access_token` form field (RFC 6750 §2.2).
   * @defaultValue false
   */
  readonly allowBodyToken?: boolean
  /**
   * Broader scopes that imply narrower ones, honoured by every scope check: an object whose keys
   * and listed values are RFC 6749 scope-tokens (checked and copied at construction), or a
   * function returning the scopes one scope implies.
   */
  readonly scopeHierarchy?: ScopeHierarchy
  /**
   * DPoP (RFC 9449). Without it, DPoP is off: only `Bearer` is accepted, and sender-constrained
   * tokens are refused.
   */
  readonly dpop?: DpopOptions
  /**
   * Where one-time values (proof `jti`s, and access-token `jti`s with `singleUseTokens`) are
   * claimed. Share one across a fleet (`@keyward/redis`). Without it, each verifier has its own
   * `MemoryReplayStore`.
   */
  readonly replayStore?: ReplayStore
  /**
   * Accept each access token once: its `jti` is claimed in the replay store until `exp`, and a
   * token without `jti` is refused (`invalid_claim`).
   * @defaultValue false
   */
  readonly singleUseTokens?: boolean
  /** Receives every {@link KeywardEvent}; the same events go to `diagnostics_channel`. */
  readonly onEvent?: (event: KeywardEvent) => void
  /**
   * Where keyward writes its operator lines (one per situation, never a token): keys that
   * cannot be loaded or refreshed (once per run of failures), the first refusal of an issuer's
   * tokens for an `iss` or `aud` mismatch (expected and received values), and
   * `dangerouslyAllowInsecureHttp` in force. Any object with `warn(message)` (pino, winston,
   * Nest's `Logger`); `false` silences them. The adapters pass their framework's logger.
   * @defaultValue console
   */
  readonly logger?: KeywardLogger | false
  /**
   * Development only: fetch metadata and keys over plain `http:` from hosts that are not
   * loopback, such as `http://keycloak:8080/realms/dev` inside docker-compose. Anyone on the
   * network path can then replace the keys and forge any token. Refused when `NODE_ENV` is
   * `production` unless set to `'even-in-production'`; logs a warning when in force.
   * @defaultValue false
   */
  readonly dangerouslyAllowInsecureHttp?: boolean | 'even-in-production'
  /**
   * Clock in epoch milliseconds. For tests and special runtimes.
   * @defaultValue Date.now
   */
  readonly now?: () => number
  /**
   * Random source for jitter, in [0, 1). For tests.
   * @defaultValue Math.random
   */
  readonly random?: () => number
}

/**
 * Options of `verifier.authenticate`, which the adapters' `bearerAuth` takes as its second
 * argument. Adapters validate them once with `resolveAuthenticateOptions`.
 */
export interface AuthenticateOptions {
  /**
   * Resolve to `undefined` for a request without a token, instead of rejecting with
   * `missing_token`; a bad token still fails.
   * @defaultValue false
   */
  readonly optional?: boolean
  /**
   * Scopes this route's 401 challenges name in `scope`, instead of the verifier's
   * `challengeScopes` (`[]`: none). RFC 6749 §3.3 scope-tokens; `offline_access` is refused.
   */
  readonly challengeScopes?: readonly string[]
}
