/* eslint-disable @typescript-eslint/no-unnecessary-condition --
   Options arrive from JavaScript and configuration files too: every "impossible" check here is
   a runtime guard against a value the types say cannot occur. */
import { DEFAULT_ALGORITHMS, isSupportedAlgorithm, type JwsAlgorithm } from './algorithms.js'
import type { ClaimsPolicy } from './claims.js'
import { DEFAULT_TYP_POLICY, normaliseMediaType, type HeaderPolicy } from './header-policy.js'
import { isSafeFetchUrl } from './safe-fetch-url.js'
import type { IssuerOptions, JwksOptions, VerifierOptions } from './options.js'
import type { SignatureThreads } from './signature-scheduler.js'
import { isChallengeSafe } from './www-authenticate.js'

/** One issuer's validated configuration. */
export interface ResolvedIssuer {
  readonly issuer: string
  /** `undefined`: discover it from the issuer's metadata. */
  readonly jwksUri: string | undefined
  readonly header: HeaderPolicy
  readonly claims: ClaimsPolicy
}

export interface ResolvedJwks {
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly maxKeys: number
  readonly cacheMaxAgeMs: number
  readonly cacheFloorMs: number
  readonly cacheCeilingMs: number
  readonly cooldownMs: number
  readonly maxStaleMs: number
  readonly retryInitialDelayMs: number
  readonly retryMaxDelayMs: number
  readonly refreshBudget: number
  readonly refreshBudgetWindowMs: number
  readonly headers: Readonly<Record<string, string>>
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>
}

export interface ResolvedOptions {
  readonly issuers: readonly ResolvedIssuer[]
  readonly jwks: ResolvedJwks
  readonly maxTokenBytes: number
  readonly verifiedTokenCacheSize: number
  readonly signatureThreads: SignatureThreads
  readonly realm: string | undefined
  readonly resourceMetadataUrl: string | undefined
  readonly allowQueryToken: boolean
  readonly allowBodyToken: boolean
  readonly now: () => number
  readonly random: () => number
}

const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti']

/** Validates options once, at construction: every mistake is a `TypeError` naming the option. */
export function resolveOptions(options: VerifierOptions): ResolvedOptions {
  if (typeof options !== 'object') throw new TypeError('options must be an object')
  const issuerList: readonly IssuerOptions[] = options.issuers ?? [options]
  if (!isNonEmptyArray(issuerList)) {
    throw new TypeError('"issuers" must be a non-empty array')
  }
  if (options.issuers !== undefined && options.issuer !== undefined) {
    throw new TypeError('pass either "issuer" or "issuers", not both')
  }
  const clockToleranceMs = duration(options.clockToleranceMs, 'clockToleranceMs', 30_000)
  const maxTokenAgeMs = optionalDuration(options.maxTokenAgeMs, 'maxTokenAgeMs')
  const maxTokenLifetimeMs = optionalDuration(options.maxTokenLifetimeMs, 'maxTokenLifetimeMs')
  const issuers = issuerList.map((entry) =>
    resolveIssuer(entry, { clockToleranceMs, maxTokenAgeMs, maxTokenLifetimeMs }),
  )
  const seen = new Set<string>()
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) throw new TypeError(`"issuers" lists ${JSON.stringify(issuer)} twice`)
    seen.add(issuer)
  }
  if (
    options.realm !== undefined &&
    (typeof options.realm !== 'string' || !isChallengeSafe(options.realm))
  ) {
    throw new TypeError('"realm" must be printable ASCII without quotes or backslashes')
  }
  if (options.resourceMetadata !== undefined && options.resourceMetadataUrl !== undefined) {
    throw new TypeError('pass either "resourceMetadata" or "resourceMetadataUrl", not both')
  }
  const metadataUrl = options.resourceMetadata?.url ?? options.resourceMetadataUrl
  if (
    metadataUrl !== undefined &&
    (typeof metadataUrl !== 'string' ||
      !isSafeFetchUrl(metadataUrl) ||
      !isChallengeSafe(metadataUrl))
  ) {
    throw new TypeError('"resourceMetadataUrl" must be an https: URL (http: only on loopback)')
  }
  const hierarchy = options.scopeHierarchy
  if (hierarchy !== undefined && typeof hierarchy !== 'function' && typeof hierarchy !== 'object') {
    throw new TypeError('"scopeHierarchy" must be an object of scope lists or a function')
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new TypeError('"onEvent" must be a function')
  }
  return {
    issuers,
    jwks: resolveJwks(options.jwks ?? {}),
    maxTokenBytes: positiveInteger(options.maxTokenBytes, 'maxTokenBytes', 8192),
    verifiedTokenCacheSize: nonNegativeInteger(
      options.verifiedTokenCacheSize,
      'verifiedTokenCacheSize',
      1000,
    ),
    signatureThreads: signatureThreads(options.signatureThreads),
    realm: options.realm,
    resourceMetadataUrl: metadataUrl,
    allowQueryToken: bool(options.allowQueryToken, 'allowQueryToken'),
    allowBodyToken: bool(options.allowBodyToken, 'allowBodyToken'),
    now: fn(options.now, 'now', Date.now),
    random: fn(options.random, 'random', Math.random),
  }
}

interface SharedClaimOptions {
  readonly clockToleranceMs: number
  readonly maxTokenAgeMs: number | undefined
  readonly maxTokenLifetimeMs: number | undefined
}

function resolveIssuer(options: IssuerOptions, shared: SharedClaimOptions): ResolvedIssuer {
  if (typeof options !== 'object') throw new TypeError('each issuer must be an object')
  const { issuer, audience, jwksUri } = options
  if (typeof issuer !== 'string' || issuer === '') {
    throw new TypeError('"issuer" is required: the exact "iss" value of accepted tokens')
  }
  if (audience === undefined) {
    throw new TypeError(
      '"audience" is required: the API identifier tokens must name in "aud" (null disables the check)',
    )
  }
  let audiences: ReadonlySet<string> | null = null
  if (audience !== null) {
    const list = typeof audience === 'string' ? [audience] : audience
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((a) => typeof a !== 'string' || a === '')
    ) {
      throw new TypeError('"audience" must be a non-empty string, an array of them, or null')
    }
    audiences = new Set(list)
  }
  if (jwksUri === undefined) {
    // Discovery fetches from the issuer, so the issuer must then be a safe URL itself.
    if (!isSafeFetchUrl(issuer)) {
      throw new TypeError(
        '"jwksUri" is required unless "issuer" is an https: URL to discover it from',
      )
    }
  } else if (typeof jwksUri !== 'string' || !isSafeFetchUrl(jwksUri)) {
    throw new TypeError('"jwksUri" must be an https: URL (http: only on loopback hosts)')
  }
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError('"algorithms" must be a non-empty array')
  }
  for (const alg of algorithms as readonly unknown[]) {
    if (!isSupportedAlgorithm(alg)) {
      // RFC 8725 §2.1: with a JWKS, only asymmetric algorithms; `none` and HS* never.
      throw new TypeError(
        `"algorithms" contains ${JSON.stringify(alg)}: only asymmetric JWS algorithms are supported`,
      )
    }
  }
  const profile = options.profile
  if (profile !== undefined && profile !== 'rfc9068') {
    throw new TypeError('"profile" must be "rfc9068" or undefined')
  }
  let typ = DEFAULT_TYP_POLICY
  let typRequired = false
  if (options.typ !== undefined) {
    const list = typeof options.typ === 'string' ? [options.typ] : options.typ
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((t) => typeof t !== 'string' || t === '')
    ) {
      throw new TypeError('"typ" must be a non-empty string or array of strings')
    }
    typ = new Set(list.map(normaliseMediaType))
    typRequired = true
  }
  if (profile === 'rfc9068') {
    // RFC 9068 §4: resource servers must check `typ` is `at+jwt`.
    typ = new Set(['at+jwt'])
    typRequired = true
  }
  const requiredClaims: readonly string[] = options.requiredClaims ?? []
  if (!isArrayOf(requiredClaims, (c) => typeof c === 'string')) {
    throw new TypeError('"requiredClaims" must be an array of claim names')
  }
  return {
    issuer,
    jwksUri,
    header: { algorithms: new Set<JwsAlgorithm>(algorithms), typ, typRequired },
    claims: {
      audiences,
      clockToleranceMs: shared.clockToleranceMs,
      maxTokenAgeMs: shared.maxTokenAgeMs,
      maxTokenLifetimeMs: shared.maxTokenLifetimeMs,
      requiredClaims: [
        ...new Set([...requiredClaims, ...(profile === 'rfc9068' ? RFC9068_CLAIMS : [])]),
      ],
    },
  }
}

function resolveJwks(options: JwksOptions): ResolvedJwks {
  if (typeof options !== 'object') throw new TypeError('"jwks" must be an object')
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis)
  if (typeof fetchFn !== 'function') throw new TypeError('"jwks.fetch" must be a function')
  const headers = options.headers ?? {}
  if (typeof headers !== 'object') throw new TypeError('"jwks.headers" must be an object')
  const cacheFloorMs = duration(options.cacheFloorMs, 'jwks.cacheFloorMs', 60_000)
  const cacheCeilingMs = duration(options.cacheCeilingMs, 'jwks.cacheCeilingMs', 3_600_000)
  if (cacheFloorMs > cacheCeilingMs) {
    throw new TypeError('"jwks.cacheFloorMs" must not exceed "jwks.cacheCeilingMs"')
  }
  const retryInitialDelayMs = duration(
    options.retryInitialDelayMs,
    'jwks.retryInitialDelayMs',
    1000,
  )
  const retryMaxDelayMs = duration(options.retryMaxDelayMs, 'jwks.retryMaxDelayMs', 300_000)
  if (retryInitialDelayMs > retryMaxDelayMs) {
    throw new TypeError('"jwks.retryInitialDelayMs" must not exceed "jwks.retryMaxDelayMs"')
  }
  return {
    timeoutMs: positiveInteger(options.timeoutMs, 'jwks.timeoutMs', 5000),
    maxBytes: positiveInteger(options.maxBytes, 'jwks.maxBytes', 512 * 1024),
    maxKeys: positiveInteger(options.maxKeys, 'jwks.maxKeys', 100),
    cacheMaxAgeMs: duration(options.cacheMaxAgeMs, 'jwks.cacheMaxAgeMs', 600_000),
    cacheFloorMs,
    cacheCeilingMs,
    cooldownMs: duration(options.cooldownMs, 'jwks.cooldownMs', 30_000),
    maxStaleMs: duration(options.maxStaleMs, 'jwks.maxStaleMs', 86_400_000),
    retryInitialDelayMs,
    retryMaxDelayMs,
    refreshBudget: positiveInteger(options.refreshBudget, 'jwks.refreshBudget', 10),
    refreshBudgetWindowMs: positiveInteger(
      options.refreshBudgetWindowMs,
      'jwks.refreshBudgetWindowMs',
      60_000,
    ),
    headers: { ...headers },
    fetch: fetchFn,
  }
}

function duration(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`"${name}" must be a non-negative number of milliseconds`)
  }
  return value
}

function optionalDuration(value: unknown, name: string): number | undefined {
  return value === undefined ? undefined : duration(value, name, 0)
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive integer`)
  }
  return value
}

function nonNegativeInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`"${name}" must be a non-negative integer`)
  }
  return value
}

function signatureThreads(value: unknown): SignatureThreads {
  if (value === undefined) return 'auto'
  if (value === 'auto' || value === 'inline' || value === 'threadPool') return value
  throw new TypeError('"signatureThreads" must be "auto", "inline" or "threadPool"')
}

function bool(value: unknown, name: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`)
  return value
}

function fn<T>(value: T | undefined, name: string, fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw new TypeError(`"${name}" must be a function`)
  return value
}

function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0
}

function isArrayOf(value: unknown, test: (entry: unknown) => boolean): boolean {
  return Array.isArray(value) && (value as unknown[]).every(test)
}
