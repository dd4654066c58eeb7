import { isSupportedAlgorithm, type JwsAlgorithm } from './algorithms.js'
import type { ClaimsPolicy } from './claims.js'
import { DEFAULTS } from './defaults.js'
import type { KeywardEvent } from './events.js'
import type { FetchFunction } from './fetch-json.js'
import { HOOK_READERS } from './hook-options.js'
import { TOKEN_SOURCE_READERS } from './token-sources.js'
import { rsaAlgorithmWithoutAlg } from './key-algorithm.js'
import { DEFAULT_TYP_POLICY, normaliseMediaType, type HeaderPolicy } from './header-policy.js'
import { isJwkThumbprint } from './jwk-thumbprint.js'
import type { AdmitKey } from './key-admission.js'
import {
  arrayOf,
  boolean,
  callable,
  duration,
  isNonEmptyString,
  isPlainObject,
  isString,
  nonEmptyString,
  nonNegativeInteger,
  oneOf,
  optional,
  optionRecord,
  own,
  positiveInteger,
  readAll,
  required,
  withDefault,
  withDefaultFrom,
  type OptionRecord,
  type Readers,
  type ReadResult,
} from './option-readers.js'
import { normaliseBaseUrl } from './dpop-htu.js'
import type {
  AuthenticateOptions,
  DpopMode,
  DpopNonceOptions,
  DpopOptions,
  IssuerOptions,
  JwksOptions,
  VerifierSettings,
} from './options.js'
import type { ReplayStore } from './replay-store.js'
import { outboundFetch, readExtraCaCerts, readProxy } from './outbound-network.js'
import { readLogger, type KeywardLogger } from './logger.js'
import { isInsecureHttpUrl, isSafeFetchUrl } from './safe-fetch-url.js'
import type { ScopeHierarchy } from './scopes.js'
import { resolveKubernetes } from './kubernetes-options.js'
import { resolveSpiffe } from './spiffe-options.js'
import { isTenantResolverOption, readTenantIssuers, type TenantResolver } from './tenant-issuers.js'
import { rejectUnknownOptions, type OptionNames } from './unknown-options.js'
import { audienceWithResource, metadataResource } from './resource-audience.js'
import type { WorkloadProfile } from './workload-identity.js'
import { isChallengeSafe, isScopeToken, NEVER_CHALLENGED_SCOPE } from './www-authenticate.js'

// Each option is one line of one of the tables below: its reader validates it and applies its
// default from DEFAULTS. The tables also define which names are known, so an option added here
// is validated, defaulted and accepted by name at once; `Readers<…>` keeps each table in step
// with the documented interface in options.ts. Rules that relate two options come after.

const ISSUER_READERS = {
  issuer: required(nonEmptyString, 'the exact "iss" value of accepted tokens'),
  audience: required(
    audienceList,
    'the API identifier tokens must name in "aud" (null disables the check)',
  ),
  // Judged in resolveIssuer, where `dangerouslyAllowInsecureHttp` is known.
  jwksUri: optional(urlString),
  algorithms: withDefault(
    // RFC 8725 §2.1: with a JWKS, only asymmetric algorithms; `none` and HS* never.
    arrayOf(isSupportedAlgorithm, 'asymmetric JWS algorithms (RS256, ES256, EdDSA…)', {
      nonEmpty: true,
    }),
    DEFAULTS.algorithms,
  ),
  typ: optional(stringOrList),
  profile: optional(oneOf(['rfc9068'])),
  requiredClaims: withDefault(
    arrayOf(isNonEmptyString, 'claim names', { nonEmpty: false }),
    DEFAULTS.requiredClaims,
  ),
  fetchHeaders: withDefault(requestHeaders, DEFAULTS.fetchHeaders),
  jwksOrigins: withDefault(originList, DEFAULTS.jwksOrigins),
  trustedKeys: optional(
    arrayOf(isJwkThumbprint, 'RFC 7638 SHA-256 JWK thumbprints (43 base64url characters)', {
      nonEmpty: true,
    }),
  ),
  admitKey: optional(callable<AdmitKey>()),
  dpopMode: optional(oneOf<DpopMode>(['off', 'allowed', 'required'])),
} as const satisfies Readers<IssuerOptions>

const DPOP_READERS = {
  mode: withDefault(oneOf<DpopMode>(['off', 'allowed', 'required']), DEFAULTS.dpop.mode),
  publicBaseUrl: optional(baseUrl),
  trustProxy: withDefault(boolean, DEFAULTS.dpop.trustProxy),
  algorithms: withDefault(
    // RFC 9449 §4.3 check 5: asymmetric only; `none` and HS* never.
    arrayOf(isSupportedAlgorithm, 'asymmetric JWS algorithms (ES256, EdDSA, PS256…)', {
      nonEmpty: true,
    }),
    DEFAULTS.dpop.algorithms,
  ),
  maxProofAgeMs: withDefault(positiveInteger, DEFAULTS.dpop.maxProofAgeMs),
  clockToleranceMs: withDefault(duration, DEFAULTS.dpop.clockToleranceMs),
  maxProofBytes: withDefault(positiveInteger, DEFAULTS.dpop.maxProofBytes),
  nonce: withDefault(dpopNonce, undefined),
} as const satisfies Readers<DpopOptions>

const DPOP_NONCE_READERS = {
  secret: optional(nonceSecret),
  windowMs: withDefault(positiveInteger, DEFAULTS.dpopNonce.windowMs),
} as const satisfies Readers<DpopNonceOptions>

const JWKS_READERS = {
  timeoutMs: withDefault(positiveInteger, DEFAULTS.jwks.timeoutMs),
  maxBytes: withDefault(positiveInteger, DEFAULTS.jwks.maxBytes),
  maxKeys: withDefault(positiveInteger, DEFAULTS.jwks.maxKeys),
  // The next five have defaults derived from each other: see `freshnessBounds` and `retryDelays`.
  cacheMaxAgeMs: optional(duration),
  cacheFloorMs: optional(duration),
  cacheCeilingMs: optional(duration),
  cooldownMs: withDefault(duration, DEFAULTS.jwks.cooldownMs),
  maxStaleMs: withDefault(duration, DEFAULTS.jwks.maxStaleMs),
  retryInitialDelayMs: optional(duration),
  retryMaxDelayMs: optional(duration),
  refreshBudget: withDefault(positiveInteger, DEFAULTS.jwks.refreshBudget),
  refreshBudgetWindowMs: withDefault(positiveInteger, DEFAULTS.jwks.refreshBudgetWindowMs),
  fetch: withDefaultFrom(callable<FetchFunction>(), () => DEFAULTS.jwks.fetch),
  proxy: optional(readProxy),
  extraCaCerts: optional(readExtraCaCerts),
  admitKeyTimeoutMs: withDefault(positiveInteger, DEFAULTS.jwks.admitKeyTimeoutMs),
  maxKeyAgeMs: withDefault(duration, DEFAULTS.jwks.maxKeyAgeMs),
  minKeyNoticeMs: withDefault(duration, DEFAULTS.jwks.minKeyNoticeMs),
} as const satisfies Readers<JwksOptions>

const SETTINGS_READERS = {
  clockToleranceMs: withDefault(duration, DEFAULTS.clockToleranceMs),
  maxTokenAgeMs: optional(duration),
  maxTokenLifetimeMs: optional(duration),
  maxTokenBytes: withDefault(positiveInteger, DEFAULTS.maxTokenBytes),
  jwks: withDefaultFrom(resolveJwks, () => resolveJwks({}, 'jwks')),
  verifiedTokenCacheSize: withDefault(nonNegativeInteger, DEFAULTS.verifiedTokenCacheSize),
  // Its default applies with an `issuers` resolver only: see `resolveTenants`.
  tenantCacheSize: optional(positiveInteger),
  signatureThreads: withDefault(oneOf(['auto', 'inline', 'threadPool']), DEFAULTS.signatureThreads),
  realm: optional(realm),
  resourceMetadata: optional(resourceMetadataUrlOf),
  resourceMetadataUrl: optional(resourceMetadataUrl),
  challengeScopes: optional(challengeScopeList),
  allowQueryToken: withDefault(boolean, DEFAULTS.allowQueryToken),
  allowBodyToken: withDefault(boolean, DEFAULTS.allowBodyToken),
  scopeHierarchy: optional(scopeHierarchy),
  dpop: optional(resolveDpop),
  replayStore: optional(replayStore),
  singleUseTokens: withDefault(boolean, DEFAULTS.singleUseTokens),
  onEvent: optional(callable<(event: KeywardEvent) => void>()),
  logger: withDefaultFrom<KeywardLogger | false>(readLogger, () => DEFAULTS.logger),
  dangerouslyAllowInsecureHttp: withDefault(
    insecureHttpOptIn,
    DEFAULTS.dangerouslyAllowInsecureHttp,
  ),
  now: withDefaultFrom(callable<() => number>(), () => DEFAULTS.now),
  random: withDefaultFrom(callable<() => number>(), () => DEFAULTS.random),
  // Hooks on verified tokens: hook-options.ts.
  ...HOOK_READERS,
  // Where else a request may carry its token: token-sources.ts.
  ...TOKEN_SOURCE_READERS,
} as const satisfies Readers<VerifierSettings>

const AUTHENTICATE_READERS = {
  optional: withDefault(boolean, DEFAULTS.authenticate.optional),
  challengeScopes: optional(challengeScopeList),
} as const satisfies Readers<AuthenticateOptions>

const ISSUER_KEYS = Object.keys(ISSUER_READERS)
const JWKS_KEYS = Object.keys(JWKS_READERS)
const SETTINGS_KEYS = Object.keys(SETTINGS_READERS)
const AUTHENTICATE_KEYS = Object.keys(AUTHENTICATE_READERS)
/**
 * Workload credentials, each resolved into issuer entries of its own (spiffe-options.ts,
 * kubernetes-options.ts).
 */
const WORKLOAD_KEYS = ['spiffe', 'kubernetes']
/** Every option name `createVerifier` accepts at the top level. */
export const VERIFIER_OPTION_NAMES: readonly string[] = [
  ...ISSUER_KEYS,
  'issuers',
  ...WORKLOAD_KEYS,
  ...SETTINGS_KEYS,
]
/** Every option name of `jwks`. */
export const JWKS_OPTION_NAMES: readonly string[] = JWKS_KEYS

function sentences(keys: readonly string[], say: (key: string) => string): [string, string][] {
  return keys.map((key) => [key, say(key)])
}

const ADAPTER_OPTION = (key: string) =>
  `"${key}" is an adapter option: pass it as the second argument of bearerAuth (Express, Koa), ` +
  `or use @OptionalAuth() (NestJS)`

// NestJS strips its module's own options before `createVerifier`, except from the object a
// `forRootAsync` factory returns.
const NEST_MODULE_OPTIONS = ['isGlobal', 'unguardedRoutes']

// `jwks.headers` went to every issuer and every origin a metadata document named.
const HEADERS_MOVED: [string, string] = [
  'headers',
  'request headers are per issuer: set "fetchHeaders" next to "issuer" (with "issuers", in each entry)',
]

const TOP_LEVEL_NAMES: OptionNames = {
  known: VERIFIER_OPTION_NAMES,
  elsewhere: new Map([
    HEADERS_MOVED,
    [
      'tenants',
      '"tenants" belongs in a tenant template, the value of "issuers": { issuer: \'https://…/{tenant}/…\', tenants: [...], audience }',
    ],
    ...sentences(JWKS_KEYS, (key) => `"${key}" is a key-fetching option: put it in "jwks"`),
    ...sentences(AUTHENTICATE_KEYS, ADAPTER_OPTION),
    ...sentences(
      NEST_MODULE_OPTIONS,
      (key) =>
        `"${key}" is a KeywardModule option: pass it to forRootAsync beside useFactory, not in the options the factory returns`,
    ),
  ]),
}

const ISSUER_ENTRY_NAMES: OptionNames = {
  known: ISSUER_KEYS,
  elsewhere: new Map([
    HEADERS_MOVED,
    ...sentences(
      SETTINGS_KEYS,
      (key) => `"${key}" applies to every issuer: set it at the top level, next to "issuers"`,
    ),
    ...sentences(
      JWKS_KEYS,
      (key) => `"${key}" is a key-fetching option: put it in the top-level "jwks"`,
    ),
    ...sentences(AUTHENTICATE_KEYS, ADAPTER_OPTION),
  ]),
}

const JWKS_NAMES: OptionNames = {
  known: JWKS_KEYS,
  elsewhere: new Map([
    HEADERS_MOVED,
    ...sentences(
      [...ISSUER_KEYS, ...SETTINGS_KEYS],
      (key) => `"${key}" is not a key-fetching option: set it at the top level`,
    ),
    ...sentences(AUTHENTICATE_KEYS, ADAPTER_OPTION),
  ]),
}

/** One issuer's validated configuration. */
export interface ResolvedIssuer {
  readonly issuer: string
  /** `undefined`: discover it from the issuer's metadata. */
  readonly jwksUri: string | undefined
  readonly fetchHeaders: Readonly<Record<string, string>>
  /** Origins (serialised, RFC 6454) trusted with this issuer's keys besides its own. */
  readonly jwksOrigins: ReadonlySet<string>
  /** The one algorithm of this issuer's RSA keys whose JWK names none. */
  readonly rsaAlgorithm: JwsAlgorithm
  readonly header: HeaderPolicy
  readonly claims: ClaimsPolicy
  /** Which published keys may verify; both `undefined` when every usable key may. */
  readonly keys: {
    readonly trustedKeys: ReadonlySet<string> | undefined
    readonly admitKey: AdmitKey | undefined
  }
  /** A workload credential issuer (a SPIFFE trust domain): what its tokens must name. */
  readonly workload?: WorkloadProfile | undefined
  /**
   * This issuer's own `fetch` (a static SPIFFE bundle; a Kubernetes cluster's CA and token),
   * instead of `jwks.fetch`.
   */
  readonly fetch?: FetchFunction | undefined
  /** Closes the connection pool of that `fetch`, if it made one (`verifier.close()`). */
  readonly closeFetch?: (() => void) | undefined
  /** `dpopMode`, else `dpop.mode`, else `'off'`. */
  readonly dpopMode: DpopMode
}

/** DPoP settings, validated; `nonce` is `undefined` when nonces are off. */
export type ResolvedDpop = Omit<ReadResult<typeof DPOP_READERS>, 'publicBaseUrl'> & {
  /** The public base URL, normalised: origin and path prefix, no trailing slash. */
  readonly publicBaseUrl: string | undefined
}

/** Key fetching and caching, every default applied. */
export type ResolvedJwks = ReadResult<typeof JWKS_READERS> & {
  readonly cacheMaxAgeMs: number
  readonly cacheFloorMs: number
  readonly cacheCeilingMs: number
  readonly retryInitialDelayMs: number
  readonly retryMaxDelayMs: number
  /** Closes the connection pool of `proxy` / `extraCaCerts`, if they made one. */
  readonly closeFetch: (() => void) | undefined
}

type ReadSettings = ReadResult<typeof SETTINGS_READERS>

/** Tenant issuers: who is trusted, and how many are kept at once. */
export interface ResolvedTenants {
  readonly resolve: TenantResolver
  readonly cacheSize: number
}

/** A verifier's validated configuration. Nothing downstream reads the options given. */
export type ResolvedOptions = Omit<
  ReadSettings,
  'resourceMetadata' | 'resourceMetadataUrl' | 'tenantCacheSize'
> & {
  /**
   * One per configured issuer (none with an `issuers` resolver); `clockToleranceMs`,
   * `maxTokenAgeMs` and `maxTokenLifetimeMs` are in each.
   */
  readonly issuers: readonly ResolvedIssuer[]
  /** With an `issuers` resolver (a tenant template or a function). */
  readonly tenants: ResolvedTenants | undefined
  /** From `resourceMetadata` or `resourceMetadataUrl`. */
  readonly resourceMetadataUrl: string | undefined
}

/**
 * Validates the options of `createVerifier` once, at construction, from `unknown`: a wrong
 * type, an unknown or misspelt name and a contradiction are each a `TypeError` naming the
 * option.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  const options = optionRecord(input, 'options')
  rejectUnknownOptions(options, TOP_LEVEL_NAMES, '')
  const settings = readAll(options, SETTINGS_READERS, '')
  if (settings.dangerouslyAllowInsecureHttp === true && nodeEnv() === 'production') {
    throw new TypeError(
      '"dangerouslyAllowInsecureHttp" is refused when NODE_ENV is "production": keys fetched over plain http can be replaced by anyone on the network path. Use https:, or set it to \'even-in-production\' to force it',
    )
  }
  if (settings.isRevoked === undefined && own(options, 'revocationRetryAfterMs') !== undefined) {
    throw new TypeError('"revocationRetryAfterMs" needs "isRevoked": there is no revocation check')
  }
  // RFC 9728 `resource`: the default audience, and what an explicit one must name.
  const resource = metadataResource(own(options, 'resourceMetadata'))
  const tenants = resolveTenants(options, settings, resource)
  const workloads = [
    ...resolveSpiffe(own(options, 'spiffe'), settings),
    ...resolveKubernetes(
      own(options, 'kubernetes'),
      settings,
      own(optionRecordOrEmpty(own(options, 'jwks')), 'fetch') !== undefined,
    ),
  ]
  const issuers =
    tenants !== undefined
      ? distinctIssuers(workloads)
      : onlyWorkloads(options, workloads)
        ? workloads
        : distinctIssuers([...resolveIssuers(options, settings, resource), ...workloads])
  if (settings.resourceMetadata !== undefined && settings.resourceMetadataUrl !== undefined) {
    throw new TypeError('pass either "resourceMetadata" or "resourceMetadataUrl", not both')
  }
  const { dpop } = settings
  // Tenant issuers take `dpop.mode`; listed issuers may each override it.
  const dpopOn =
    issuers.some((entry) => entry.dpopMode !== 'off') ||
    (tenants !== undefined && dpop !== undefined && dpop.mode !== 'off')
  if (dpopOn && dpop?.publicBaseUrl === undefined && dpop?.trustProxy !== true) {
    // RFC 9449 §4.3 check 9 needs the request's URI, and `Host` is the client's to write.
    throw new TypeError(
      '"dpop.publicBaseUrl" is required when DPoP is accepted: the public URL of this API (or "dpop.trustProxy" behind a proxy that sets X-Forwarded-Host)',
    )
  }
  // `tenantCacheSize` lives on in `tenants`.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { resourceMetadata, tenantCacheSize, ...rest } = settings
  return {
    ...rest,
    issuers,
    tenants,
    resourceMetadataUrl: resourceMetadata ?? rest.resourceMetadataUrl,
  }
}

/**
 * `issuers` as a resolver: a tenant template (an object with `tenants`) or a function. Trust is
 * then decided per `iss`, and the issuers trusted so far are kept, `tenantCacheSize` at most.
 */
function resolveTenants(
  options: OptionRecord,
  settings: ReadSettings,
  resource: string | undefined,
): ResolvedTenants | undefined {
  const value = own(options, 'issuers')
  if (!isTenantResolverOption(value)) {
    if (settings.tenantCacheSize !== undefined) {
      throw new TypeError(
        '"tenantCacheSize" applies to tenant issuers only: "issuers" as a template with "tenants" or a function',
      )
    }
    return undefined
  }
  rejectIssuerOptionsBeside(options)
  const resolve = readTenantIssuers(value, (record, prefix) => {
    rejectUnknownOptions(record, ISSUER_ENTRY_NAMES, prefix)
    return resolveIssuer(record, settings, prefix, resource)
  })
  return { resolve, cacheSize: settings.tenantCacheSize ?? DEFAULTS.tenantCacheSize }
}

/** With `issuers`, every per-issuer option belongs in it, never beside it. */
function rejectIssuerOptionsBeside(options: OptionRecord): void {
  if (own(options, 'issuer') !== undefined) {
    throw new TypeError('pass either "issuer" or "issuers", not both')
  }
  for (const key of PER_ISSUER_KEYS) {
    if (own(options, key) !== undefined) {
      throw new TypeError(
        `"${key}" is a per-issuer option: with "issuers", it belongs in each "issuers" entry (or the tenant template, or the resolver's answer)`,
      )
    }
  }
}

/** `verifier.authenticate` options, validated: `optional` defaulted, `challengeScopes` if set. */
export type ResolvedAuthenticateOptions = ReadResult<typeof AUTHENTICATE_READERS>

/**
 * Validates the options an adapter passes to `verifier.authenticate`: once, when the adapter's
 * middleware is created, so a typo such as `{ optinal: true }` fails at start-up instead of
 * leaving a route that should be optional rejecting every anonymous request. `caller` names the
 * adapter function in messages.
 *
 * @example
 * ```ts
 * export function bearerAuth(options: VerifierOptions | Verifier, adapterOptions?: BearerAuthOptions) {
 *   const verifier = resolveVerifier(options)
 *   const { optional } = resolveAuthenticateOptions(adapterOptions, 'bearerAuth')
 *   // ... verifier.authenticate(request, { optional })
 * }
 * ```
 */
export function resolveAuthenticateOptions(
  input: unknown,
  caller: string,
): ResolvedAuthenticateOptions {
  const options = input === undefined ? {} : optionRecord(input, `${caller} options`)
  rejectUnknownOptions(
    options,
    {
      known: AUTHENTICATE_KEYS,
      elsewhere: new Map(
        sentences(
          [...VERIFIER_OPTION_NAMES, ...JWKS_KEYS],
          (key) =>
            `"${key}" is a verifier option: pass it in the first argument of ${caller}, or to createVerifier`,
        ),
      ),
    },
    '',
  )
  return Object.freeze({ ...readAll(options, AUTHENTICATE_READERS, '') })
}

// Claims RFC 9068 §2.2 requires in every JWT access token.
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti']
// Its identifier claims: non-empty and bounded (MAX_IDENTIFIER_LENGTH in claims.ts).
const RFC9068_IDENTIFIERS = ['sub', 'client_id', 'jti']
// Per-issuer options that, with `issuers`, belong in each entry.
const PER_ISSUER_KEYS = ISSUER_KEYS.filter((key) => key !== 'issuer')

/**
 * Whether the verifier accepts workload credentials only (`spiffe` without `issuer` or
 * `issuers`). Then per-issuer options at the top level would apply to nothing: a `TypeError`.
 */
function onlyWorkloads(options: OptionRecord, workloads: readonly ResolvedIssuer[]): boolean {
  if (workloads.length === 0) return false
  if (own(options, 'issuer') !== undefined || own(options, 'issuers') !== undefined) return false
  for (const key of PER_ISSUER_KEYS) {
    if (own(options, key) !== undefined) {
      throw new TypeError(
        `"${key}" is an option of "issuer", and no "issuer" is given: for workload credentials, set "audience" in each "spiffe.trustDomains" or "kubernetes" entry`,
      )
    }
  }
  return true
}

/** The `jwks` option as given, or nothing: only to see whether it names a `fetch` of its own. */
function optionRecordOrEmpty(value: unknown): OptionRecord {
  return isPlainObject(value) ? value : {}
}

/** Issuer names are the keys tokens are routed by: an issuer and a trust domain ID may not meet. */
function distinctIssuers(issuers: readonly ResolvedIssuer[]): readonly ResolvedIssuer[] {
  const seen = new Set<string>()
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) {
      throw new TypeError(
        `${JSON.stringify(issuer)} is configured twice (as an issuer, a SPIFFE trust domain or a Kubernetes cluster): tokens could not tell them apart`,
      )
    }
    seen.add(issuer)
  }
  return issuers
}

function resolveIssuers(
  options: OptionRecord,
  settings: ReadSettings,
  resource: string | undefined,
): readonly ResolvedIssuer[] {
  const list = own(options, 'issuers')
  if (list === undefined) return [resolveIssuer(options, settings, '', resource)]
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(
      '"issuers" must be a non-empty array of issuer options, a tenant template with "tenants", or a function',
    )
  }
  rejectIssuerOptionsBeside(options)
  const entries: readonly unknown[] = list
  const issuers = entries.map((entry, index) => {
    const prefix = `issuers[${index}].`
    const record = optionRecord(entry, `issuers[${index}]`)
    rejectUnknownOptions(record, ISSUER_ENTRY_NAMES, prefix)
    return resolveIssuer(record, settings, prefix, resource)
  })
  const seen = new Set<string>()
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) throw new TypeError(`"issuers" lists ${JSON.stringify(issuer)} twice`)
    seen.add(issuer)
  }
  return issuers
}

function resolveIssuer(
  given: OptionRecord,
  settings: ReadSettings,
  prefix: string,
  resource: string | undefined,
): ResolvedIssuer {
  const record: OptionRecord = {
    ...given,
    audience: audienceWithResource(own(given, 'audience'), resource, `${prefix}audience`),
  }
  const {
    issuer,
    audience,
    jwksUri,
    algorithms,
    typ,
    profile,
    requiredClaims,
    fetchHeaders,
    jwksOrigins,
    trustedKeys,
    admitKey,
    dpopMode,
  } = readAll(record, ISSUER_READERS, prefix)
  const allowHttp = settings.dangerouslyAllowInsecureHttp !== false
  // Discovery fetches from the issuer, so the issuer must then be a safe URL itself.
  if (jwksUri === undefined && !isSafeFetchUrl(issuer, allowHttp)) {
    throw new TypeError(
      URL.canParse(issuer)
        ? unsafeUrlMessage(
            `${prefix}issuer`,
            issuer,
            ' to discover the JWKS from (or set "jwksUri")',
          )
        : `"${prefix}issuer" is not a URL (${JSON.stringify(issuer)}), so the JWKS cannot be discovered from it: set "${prefix}jwksUri", or use the issuer URL tokens carry in "iss"`,
    )
  }
  if (jwksUri !== undefined && !isSafeFetchUrl(jwksUri, allowHttp)) {
    throw new TypeError(unsafeUrlMessage(`${prefix}jwksUri`, jwksUri, ''))
  }
  if (jwksUri !== undefined && jwksOrigins.length > 0) {
    // Keys then come from jwksUri alone; a list that changes nothing is a misunderstanding.
    throw new TypeError(
      `"${prefix}jwksOrigins" applies to a discovered jwks_uri only: with "${prefix}jwksUri", keys come from there alone`,
    )
  }
  const strict = profile === 'rfc9068'
  if (strict && typ?.some((value) => value !== 'at+jwt') === true) {
    // RFC 9068 §4: the profile requires `at+jwt`; another accepted type would be dropped.
    throw new TypeError(
      `"${prefix}typ" contradicts "${prefix}profile": 'rfc9068' accepts only at+jwt`,
    )
  }
  if (strict && audience === null) {
    // RFC 9068 §4: the resource server must check that `aud` names it.
    throw new TypeError(
      `"${prefix}audience": null contradicts "${prefix}profile": 'rfc9068' requires an audience check`,
    )
  }
  const typRequired = strict || typ !== undefined
  return {
    issuer,
    jwksUri,
    fetchHeaders,
    jwksOrigins: new Set(jwksOrigins),
    rsaAlgorithm: rsaAlgorithmWithoutAlg(algorithms),
    header: {
      algorithms: new Set<JwsAlgorithm>(algorithms),
      typ: strict ? new Set(['at+jwt']) : typ === undefined ? DEFAULT_TYP_POLICY : new Set(typ),
      typRequired,
    },
    claims: {
      audiences: audience,
      clockToleranceMs: settings.clockToleranceMs,
      maxTokenAgeMs: settings.maxTokenAgeMs,
      maxTokenLifetimeMs: settings.maxTokenLifetimeMs,
      requiredClaims: [...new Set([...requiredClaims, ...(strict ? RFC9068_CLAIMS : [])])],
      identifierClaims: strict ? RFC9068_IDENTIFIERS : [],
    },
    keys: {
      trustedKeys: trustedKeys === undefined ? undefined : new Set(trustedKeys),
      admitKey,
    },
    dpopMode: dpopMode ?? settings.dpop?.mode ?? 'off',
  }
}

function resolveDpop(value: unknown, name: string): ResolvedDpop {
  const record = optionRecord(value, name)
  rejectUnknownOptions(
    record,
    { known: Object.keys(DPOP_READERS), elsewhere: new Map() },
    `${name}.`,
  )
  const read = readAll(record, DPOP_READERS, `${name}.`)
  if (read.publicBaseUrl !== undefined && read.trustProxy) {
    throw new TypeError(
      `"${name}.publicBaseUrl" contradicts "${name}.trustProxy": the URI comes from one or the other`,
    )
  }
  return read
}

function dpopNonce(
  value: unknown,
  name: string,
): ReadResult<typeof DPOP_NONCE_READERS> | undefined {
  if (value === false) return undefined
  const record = value === true ? {} : optionRecord(value, name)
  rejectUnknownOptions(
    record,
    { known: Object.keys(DPOP_NONCE_READERS), elsewhere: new Map() },
    `${name}.`,
  )
  return readAll(record, DPOP_NONCE_READERS, `${name}.`)
}

function nonceSecret(value: unknown, name: string): Buffer {
  const bytes =
    typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : value instanceof Uint8Array
        ? Buffer.from(value)
        : undefined
  // A nonce forged with a guessed key would pass: 256 bits, as for any HMAC-SHA256 key.
  if (bytes === undefined || bytes.length < 32) {
    throw new TypeError(`"${name}" must be a string or Uint8Array of at least 32 bytes`)
  }
  return bytes
}

function baseUrl(value: unknown, name: string): string {
  const normalised = typeof value === 'string' ? normaliseBaseUrl(value) : undefined
  if (normalised === undefined) {
    throw new TypeError(
      `"${name}" must be an absolute http(s) URL without query or fragment, e.g. "https://api.example.com"`,
    )
  }
  return normalised
}

function replayStore(value: unknown, name: string): ReplayStore {
  const claim: unknown =
    typeof value === 'object' && value !== null ? (value as { claim?: unknown }).claim : undefined
  if (typeof claim !== 'function') {
    throw new TypeError(`"${name}" must have a claim(key, expiresAt) method`)
  }
  return value as ReplayStore
}

function resolveJwks(value: unknown, name: string): ResolvedJwks {
  const record = optionRecord(value, name)
  rejectUnknownOptions(record, JWKS_NAMES, `${name}.`)
  const read = readAll(record, JWKS_READERS, `${name}.`)
  return { ...read, ...freshnessBounds(read), ...retryDelays(read), ...network(record, read, name) }
}

/**
 * `proxy` and `extraCaCerts` make the fetch; a `fetch` of your own is the escape hatch, so
 * both at once would leave one of them silently unused.
 */
function network(
  record: OptionRecord,
  read: ReadResult<typeof JWKS_READERS>,
  name: string,
): { readonly fetch: FetchFunction; readonly closeFetch: (() => void) | undefined } {
  const { proxy, extraCaCerts } = read
  if (proxy === undefined && extraCaCerts === undefined) {
    return { fetch: read.fetch, closeFetch: undefined }
  }
  if (own(record, 'fetch') !== undefined) {
    const given = proxy === undefined ? 'extraCaCerts' : 'proxy'
    throw new TypeError(
      `pass either "${name}.fetch" or "${name}.${given}", not both: configure the proxy and CAs of your own fetch in it`,
    )
  }
  const outbound = outboundFetch({ proxy, extraCaCerts })
  return { fetch: outbound.fetch, closeFetch: outbound.close }
}

/**
 * `cacheFloorMs` and `cacheCeilingMs` bound every freshness, from headers or not, so the
 * defaults of each of the three adapt to the ones given: a user asking for 5-second freshness
 * gets 5 seconds, not the default floor's minute. Two explicit values that contradict each
 * other are a `TypeError`.
 */
function freshnessBounds(read: {
  readonly cacheMaxAgeMs: number | undefined
  readonly cacheFloorMs: number | undefined
  readonly cacheCeilingMs: number | undefined
}) {
  const { cacheFloorMs: floor, cacheCeilingMs: ceiling } = read
  contradiction(floor, ceiling, 'jwks.cacheFloorMs', 'jwks.cacheCeilingMs')
  contradiction(floor, read.cacheMaxAgeMs, 'jwks.cacheFloorMs', 'jwks.cacheMaxAgeMs')
  contradiction(read.cacheMaxAgeMs, ceiling, 'jwks.cacheMaxAgeMs', 'jwks.cacheCeilingMs')
  const cacheMaxAgeMs = read.cacheMaxAgeMs ?? clamp(DEFAULTS.jwks.cacheMaxAgeMs, floor, ceiling)
  return {
    cacheMaxAgeMs,
    cacheFloorMs: floor ?? Math.min(DEFAULTS.jwks.cacheFloorMs, cacheMaxAgeMs),
    cacheCeilingMs: ceiling ?? Math.max(DEFAULTS.jwks.cacheCeilingMs, cacheMaxAgeMs),
  }
}

/** The same for the backoff: the first retry delay is never above the largest. */
function retryDelays(read: {
  readonly retryInitialDelayMs: number | undefined
  readonly retryMaxDelayMs: number | undefined
}) {
  const { retryInitialDelayMs: initial, retryMaxDelayMs: max } = read
  contradiction(initial, max, 'jwks.retryInitialDelayMs', 'jwks.retryMaxDelayMs')
  const retryMaxDelayMs = max ?? Math.max(DEFAULTS.jwks.retryMaxDelayMs, initial ?? 0)
  return {
    retryInitialDelayMs: initial ?? Math.min(DEFAULTS.jwks.retryInitialDelayMs, retryMaxDelayMs),
    retryMaxDelayMs,
  }
}

/** Throws when two given bounds are out of order. */
function contradiction(
  lower: number | undefined,
  upper: number | undefined,
  lowerName: string,
  upperName: string,
): void {
  if (lower !== undefined && upper !== undefined && lower > upper) {
    throw new TypeError(`"${lowerName}" (${lower}) must not exceed "${upperName}" (${upper})`)
  }
}

function clamp(value: number, lower: number | undefined, upper: number | undefined): number {
  return Math.min(upper ?? Number.POSITIVE_INFINITY, Math.max(lower ?? 0, value))
}

function audienceList(value: unknown, name: string): ReadonlySet<string> | null {
  if (value === null) return null
  const list: unknown = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every(isNonEmptyString)) {
    throw new TypeError(`"${name}" must be a non-empty string, an array of them, or null`)
  }
  return new Set(list)
}

/** `typ` values, normalised (RFC 7515 §4.1.9: case-insensitive, `application/` optional). */
function stringOrList(value: unknown, name: string): readonly string[] {
  const list: unknown = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every(isNonEmptyString)) {
    throw new TypeError(`"${name}" must be a non-empty string or array of strings`)
  }
  return list.map(normaliseMediaType)
}

/** A string `new URL` parses; what it may point at is judged later. */
function urlString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`"${name}" must be a URL string`)
  if (!URL.canParse(value)) {
    // A URL built by string concatenation (`${issuer}.well-known/jwks.json` without a slash
    // gives `http://host:3000.well-known/...`) is not a URL at all: say that, not "use https".
    throw new TypeError(`"${name}" is not a URL: ${JSON.stringify(value)}`)
  }
  return value
}

/** Why a parseable URL is refused as a place to fetch keys or metadata from. */
function unsafeUrlMessage(name: string, url: string, purpose: string): string {
  if (isInsecureHttpUrl(url)) {
    return `"${name}" must be an https: URL${purpose}: http: is accepted only on loopback hosts, or on any host in development with "dangerouslyAllowInsecureHttp: true"`
  }
  return `"${name}" must be an https: URL${purpose} (http: only on loopback hosts), without credentials`
}

/** `dangerouslyAllowInsecureHttp`: `true`, `false` or `'even-in-production'`. */
function insecureHttpOptIn(value: unknown, name: string): boolean | 'even-in-production' {
  if (typeof value === 'boolean' || value === 'even-in-production') return value
  throw new TypeError(`"${name}" must be true, false or 'even-in-production'`)
}

/** The one read of the environment: the production refusal of `dangerouslyAllowInsecureHttp` (issue 21). */
function nodeEnv(): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env.NODE_ENV
}

/**
 * Origins, each an `https:` URL with nothing after the host and port (a trailing `/` is
 * tolerated), `http:` only on loopback hosts; returned serialised (RFC 6454 §6.2), as
 * `URL.origin` spells them, so comparisons are exact.
 */
function originList(value: unknown, name: string): readonly string[] {
  if (!Array.isArray(value)) throw new TypeError(`"${name}" must be an array of origins`)
  const entries: readonly unknown[] = value
  return Object.freeze(
    entries.map((entry, index) => {
      const url = typeof entry === 'string' && isSafeFetchUrl(entry) ? new URL(entry) : undefined
      // Nothing but scheme, host and port: `href` adds exactly the root path to the origin.
      if (url?.href !== `${url?.origin ?? ''}/`) {
        throw new TypeError(
          `"${name}[${index}]" must be an https: origin such as "https://keys.example.com" (http: only on loopback hosts)`,
        )
      }
      return url.origin
    }),
  )
}

function realm(value: unknown, name: string): string {
  if (typeof value !== 'string' || !isChallengeSafe(value)) {
    throw new TypeError(`"${name}" must be printable ASCII without quotes or backslashes`)
  }
  return value
}

function resourceMetadataUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || !isSafeFetchUrl(value) || !isChallengeSafe(value)) {
    throw new TypeError(`"${name}" must be an https: URL (http: only on loopback)`)
  }
  return value
}

/**
 * The URL of a `protectedResourceMetadata(...)` result. Anything without one (its options
 * object, say) would silently leave every challenge without `resource_metadata`.
 */
function resourceMetadataUrlOf(value: unknown, name: string): string {
  const url =
    typeof value === 'object' && value !== null ? own(value as OptionRecord, 'url') : undefined
  if (url === undefined) {
    throw new TypeError(`"${name}" must be the result of protectedResourceMetadata(...)`)
  }
  return resourceMetadataUrl(url, `${name}.url`)
}

/** Extra request headers: string values that `fetch` accepts, checked now rather than per fetch. */
function requestHeaders(value: unknown, name: string): Readonly<Record<string, string>> {
  if (!isPlainObject(value) || !Object.values(value).every(isString)) {
    throw new TypeError(`"${name}" must be an object of header names and string values`)
  }
  const headers = Object.freeze({ ...value }) as Readonly<Record<string, string>>
  try {
    new Headers(headers)
  } catch (error) {
    throw new TypeError(`"${name}" has an invalid header name or value`, { cause: error })
  }
  return headers
}

/**
 * A scope hierarchy, checked deeply now (RFC 6749 §3.3 scope-tokens) and copied, so a later
 * change to the object cannot bypass the check. A function cannot be checked before it is
 * called: its answers are, on every call.
 */
function scopeHierarchy(value: unknown, name: string): ScopeHierarchy {
  if (typeof value === 'function') {
    const implied = value as (scope: string) => unknown
    return (scope) => {
      const answer = implied(scope)
      if (answer === undefined || answer === null) return []
      if (Array.isArray(answer) && answer.every(isString)) return answer
      // No scope in the message: it comes from a token.
      throw new TypeError(`"${name}" must return an array of scopes`)
    }
  }
  if (!isPlainObject(value)) {
    throw new TypeError(`"${name}" must be an object of scope lists or a function`)
  }
  const copy: Record<string, readonly string[]> = Object.create(null) as Record<
    string,
    readonly string[]
  >
  for (const [scope, implied] of Object.entries(value)) {
    if (!isScopeToken(scope)) {
      throw new TypeError(`"${name}" has a key that is not a valid scope (RFC 6749 §3.3)`)
    }
    copy[scope] = arrayOf(isScopeTokenValue, 'valid scopes (RFC 6749 §3.3)', { nonEmpty: false })(
      implied,
      `${name}.${scope}`,
    )
  }
  return Object.freeze(copy)
}

/**
 * Scopes for the `scope` of 401 challenges: RFC 6749 §3.3 scope-tokens, without duplicates, and
 * never `offline_access` (MCP authorization, "Refresh Tokens": not a resource requirement).
 */
function challengeScopeList(value: unknown, name: string): readonly string[] {
  const list = arrayOf(isScopeTokenValue, 'valid scopes (RFC 6749 §3.3)', { nonEmpty: false })(
    value,
    name,
  )
  if (list.includes(NEVER_CHALLENGED_SCOPE)) {
    throw new TypeError(
      `"${name}" must not list ${NEVER_CHALLENGED_SCOPE}: refresh tokens are not a resource requirement`,
    )
  }
  return Object.freeze([...new Set(list)])
}

function isScopeTokenValue(value: unknown): value is string {
  return typeof value === 'string' && isScopeToken(value)
}
