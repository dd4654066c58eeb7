import { isSupportedAlgorithm, type JwsAlgorithm } from './algorithms.js'
import type { FetchFunction } from './fetch-json.js'
import { normaliseMediaType } from './header-policy.js'
import { rsaAlgorithmWithoutAlg } from './key-algorithm.js'
import {
  arrayOf,
  isNonEmptyString,
  optional,
  optionRecord,
  readAll,
  required,
  withDefault,
  type OptionRecord,
  type Readers,
} from './option-readers.js'
import type { ResolvedIssuer } from './resolve-options.js'
import { isSafeFetchUrl } from './safe-fetch-url.js'
import { isTrustDomainName } from './spiffe-id.js'
import { rejectUnknownOptions } from './unknown-options.js'

/**
 * One SPIFFE trust domain whose JWT-SVIDs the verifier accepts, and where its bundle comes
 * from: `bundleEndpoint` or `bundle`, exactly one.
 */
export interface TrustDomainOptions {
  /**
   * The trust domain name (`example.org`) or its ID (`spiffe://example.org`). A JWT-SVID is
   * verified with this trust domain's keys only when its `sub` is a SPIFFE ID in it.
   */
  readonly trustDomain: string
  /**
   * The trust domain's SPIFFE bundle endpoint (Trust Domain and Bundle §5), authenticated by
   * Web PKI (§5.2.1, `https_web`): an `https:` URL (`http:` on loopback hosts only). Fetched like
   * a JWKS (single flight, last-known-good, backoff, `jwks.*` options), refreshed every
   * `spiffe_refresh_hint`, within `jwks.cacheFloorMs` and `jwks.cacheCeilingMs`. The
   * `https_spiffe` profile (§5.2.2) is not supported.
   */
  readonly bundleEndpoint?: string
  /**
   * A static SPIFFE bundle (a JWK Set with `spiffe_sequence`, `spiffe_refresh_hint` and keys
   * with `use`), as an object or JSON text, for a bundle delivered out of band.
   */
  readonly bundle?: object | string
  /**
   * Accepted `aud` values: a JWT-SVID must name one (JWT-SVID §3.2). Required, never `null`.
   */
  readonly audience: string | readonly string[]
  /**
   * Accepted JWS algorithms, among those JWT-SVID §2.1 allows. Bundle keys carry no `alg`: an EC
   * key's curve fixes its one algorithm (P-256 → ES256, P-384 → ES384, P-521 → ES512), and an
   * RSA key's is the only RSA algorithm listed here, else RS256.
   * @defaultValue RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512
   */
  readonly algorithms?: readonly JwsAlgorithm[]
}

/** The `spiffe` option of `createVerifier`: JWT-SVIDs of these trust domains are accepted. */
export interface SpiffeOptions {
  /** Each trust domain with its own bundle and keys (federation); names must differ. */
  readonly trustDomains: readonly TrustDomainOptions[]
}

/** JWT-SVID §2.1: RSASSA-PKCS1-v1_5, ECDSA and RSASSA-PSS; never EdDSA, HMAC or `none`. */
export const JWT_SVID_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
])
// JWT-SVID §2.3: `typ`, when present, is JWT or JOSE.
const JWT_SVID_TYPES: ReadonlySet<string> = new Set(['JWT', 'JOSE'].map(normaliseMediaType))

/** What a trust domain's issuer entry needs from the verifier-wide settings. */
export interface WorkloadClaimSettings {
  readonly clockToleranceMs: number
  readonly maxTokenAgeMs: number | undefined
  readonly maxTokenLifetimeMs: number | undefined
}

const TRUST_DOMAIN_READERS = {
  trustDomain: required(trustDomainName, 'the trust domain name, such as "example.org"'),
  bundleEndpoint: optional(bundleEndpoint),
  bundle: optional(bundleDocument),
  audience: required(audienceSet, 'the value JWT-SVIDs for this API carry in "aud"'),
  algorithms: withDefault(
    arrayOf(isJwtSvidAlgorithm, 'JWT-SVID algorithms (RS256, ES256, PS256…)', { nonEmpty: true }),
    JWT_SVID_ALGORITHMS,
  ),
} as const satisfies Readers<TrustDomainOptions>

const TRUST_DOMAIN_NAMES = {
  known: Object.keys(TRUST_DOMAIN_READERS),
  elsewhere: new Map([
    ['issuer', 'a trust domain has no issuer: name it with "trustDomain"'],
    ['jwksUri', 'a trust domain\'s keys come from "bundleEndpoint" (or a static "bundle")'],
  ]),
}

/**
 * Reads the `spiffe` option into one issuer entry per trust domain, named by the trust domain's
 * ID (`spiffe://example.org`): its bundle is its JWKS, its audience and algorithms its policy.
 */
export function resolveSpiffe(
  value: unknown,
  settings: WorkloadClaimSettings,
): readonly ResolvedIssuer[] {
  if (value === undefined) return []
  const record = optionRecord(value, 'spiffe')
  rejectUnknownOptions(record, { known: ['trustDomains'], elsewhere: new Map() }, 'spiffe.')
  const list = record.trustDomains
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError('"spiffe.trustDomains" must be a non-empty array of trust domains')
  }
  const entries: readonly unknown[] = list
  const seen = new Set<string>()
  return entries.map((entry, index) => {
    const prefix = `spiffe.trustDomains[${index}].`
    const resolved = resolveTrustDomain(optionRecord(entry, prefix.slice(0, -1)), prefix, settings)
    if (seen.has(resolved.issuer)) {
      throw new TypeError(`"spiffe.trustDomains" lists ${JSON.stringify(resolved.issuer)} twice`)
    }
    seen.add(resolved.issuer)
    return resolved
  })
}

function resolveTrustDomain(
  record: OptionRecord,
  prefix: string,
  settings: WorkloadClaimSettings,
): ResolvedIssuer {
  rejectUnknownOptions(record, TRUST_DOMAIN_NAMES, prefix)
  const read = readAll(record, TRUST_DOMAIN_READERS, prefix)
  if ((read.bundleEndpoint === undefined) === (read.bundle === undefined)) {
    throw new TypeError(
      `"${prefix}bundleEndpoint" or "${prefix}bundle": give exactly one source of the trust domain's bundle`,
    )
  }
  const id = `spiffe://${read.trustDomain}`
  return {
    issuer: id,
    jwksUri: read.bundleEndpoint ?? `${id} (static bundle)`,
    fetch: read.bundle === undefined ? undefined : staticBundle(read.bundle),
    fetchHeaders: Object.freeze({}),
    jwksOrigins: new Set(),
    // JWT-SVIDs are bearer credentials of workloads (SPIFFE JWT-SVID §4): never DPoP-bound.
    dpopMode: 'off',
    rsaAlgorithm: rsaAlgorithmWithoutAlg(read.algorithms),
    header: {
      algorithms: new Set<JwsAlgorithm>(read.algorithms),
      typ: JWT_SVID_TYPES,
      typRequired: false,
    },
    claims: {
      audiences: read.audience,
      clockToleranceMs: settings.clockToleranceMs,
      maxTokenAgeMs: settings.maxTokenAgeMs,
      maxTokenLifetimeMs: settings.maxTokenLifetimeMs,
      requiredClaims: [],
      identifierClaims: [],
    },
    keys: { trustedKeys: undefined, admitKey: undefined },
    workload: { kind: 'spiffe', trustDomain: read.trustDomain },
  }
}

function trustDomainName(value: unknown, name: string): string {
  const text = typeof value === 'string' ? value.replace(/^spiffe:\/\//, '') : undefined
  if (text === undefined || !isTrustDomainName(text)) {
    throw new TypeError(
      `"${name}" must be a trust domain name of lower-case letters, digits, ".", "-" and "_", such as "example.org" (SPIFFE ID §2.1)`,
    )
  }
  return text
}

function bundleEndpoint(value: unknown, name: string): string {
  if (typeof value !== 'string' || !isSafeFetchUrl(value)) {
    throw new TypeError(`"${name}" must be an https: URL (http: only on loopback hosts)`)
  }
  return value
}

/** The bundle as JSON text, checked now to be a JWK Set at least by its shape. */
function bundleDocument(value: unknown, name: string): string {
  let document: unknown = value
  if (typeof value === 'string') {
    try {
      document = JSON.parse(value)
    } catch {
      throw new TypeError(`"${name}" must be a SPIFFE bundle: JSON text or an object`)
    }
  }
  const keys: unknown =
    typeof document === 'object' && document !== null ? Reflect.get(document, 'keys') : undefined
  if (!Array.isArray(keys)) {
    throw new TypeError(`"${name}" must be a SPIFFE bundle: an object with a "keys" array`)
  }
  return JSON.stringify(document)
}

/** A static bundle, served to the key source as if fetched, so every rule applies to it. */
function staticBundle(text: string): FetchFunction {
  return () =>
    Promise.resolve(
      new Response(text, { status: 200, headers: { 'content-type': 'application/json' } }),
    )
}

function audienceSet(value: unknown, name: string): ReadonlySet<string> {
  const list: unknown = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every(isNonEmptyString)) {
    // JWT-SVID §3.2: validators must check `aud`; there is no opt-out.
    throw new TypeError(`"${name}" must be a non-empty string or an array of them`)
  }
  return new Set(list)
}

function isJwtSvidAlgorithm(value: unknown): value is JwsAlgorithm {
  return isSupportedAlgorithm(value) && JWT_SVID_ALGORITHMS.includes(value)
}
