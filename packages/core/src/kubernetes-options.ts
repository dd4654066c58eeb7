import { accessSync, constants, readFileSync } from 'node:fs'
import { isSupportedAlgorithm, type JwsAlgorithm } from './algorithms.js'
import type { FetchFunction } from './fetch-json.js'
import { DEFAULT_TYP_POLICY } from './header-policy.js'
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
import { outboundFetch, readExtraCaCerts } from './outbound-network.js'
import type { ResolvedIssuer, ResolvedJwks } from './resolve-options.js'
import { serviceAccountFetch } from './service-account-fetch.js'
import type { WorkloadClaimSettings } from './spiffe-options.js'
import { rejectUnknownOptions } from './unknown-options.js'

/**
 * One Kubernetes cluster whose service-account tokens the verifier accepts, verified through
 * the cluster's service-account issuer discovery (KEP-1393: the API server serves
 * `/.well-known/openid-configuration` and `/openid/v1/jwks`).
 *
 * In a pod, the usual values are `caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'`
 * and `tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token'`: see docs/kubernetes.md.
 */
export interface KubernetesClusterOptions {
  /**
   * The cluster's service-account issuer (the API server's `--service-account-issuer`), exactly
   * as tokens carry it in `iss`: `https://kubernetes.default.svc.cluster.local` on kubeadm and
   * kind, `https://oidc.eks.<region>.amazonaws.com/id/<id>` on EKS. `https:` only. The JWKS is
   * discovered from its `/.well-known/openid-configuration`, unless `jwksUri` is set.
   */
  readonly issuer: string
  /**
   * Accepted `aud` values: the audience the pod requested for its projected token
   * (`serviceAccountToken.audience`). Required, never `null`: a token requested for the API
   * server (`https://kubernetes.default.svc`) or for another service must not open this API.
   */
  readonly audience: string | readonly string[]
  /**
   * The JWKS URL, instead of discovery: `https://kubernetes.default.svc/openid/v1/jwks` in a
   * pod whose API server advertises a `jwks_uri` on an address the pod does not use (kubeadm
   * names its external address). `https:` only.
   */
  readonly jwksUri?: string
  /**
   * The cluster's CA certificate (PEM, one or a list, strings or Buffers), trusted for this
   * cluster's discovery and JWKS fetches only, besides Node's roots and `jwks.extraCaCerts`.
   * Give `ca` or `caFile`, not both; neither for an issuer with a Web PKI certificate (EKS, GKE).
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[]
  /** The same, read from a file once, when the verifier is created. */
  readonly caFile?: string
  /**
   * A file holding a token sent as `Authorization: Bearer` on this cluster's discovery and
   * JWKS fetches (the API server grants `system:service-account-issuer-discovery` to service
   * accounts, not to anonymous callers). Read again on every fetch: kubelet rotates projected
   * tokens in place. Sent to the issuer's origin and `jwksUri` only.
   * @defaultValue none: fetches carry no credential (EKS and GKE serve discovery publicly)
   */
  readonly tokenFile?: string
  /**
   * Accepted JWS algorithms: the API server signs with an RSA or ECDSA key
   * (`--service-account-signing-key-file`).
   * @defaultValue RS256, ES256, ES384, ES512
   */
  readonly algorithms?: readonly JwsAlgorithm[]
}

/**
 * The `kubernetes` option of `createVerifier`: one cluster, or a list of clusters each with its
 * own issuer and keys.
 */
export type KubernetesOptions = KubernetesClusterOptions | readonly KubernetesClusterOptions[]

/** The algorithms the API server can sign service-account tokens with. */
export const KUBERNETES_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([
  'RS256',
  'ES256',
  'ES384',
  'ES512',
])

const CLUSTER_READERS = {
  issuer: required(
    httpsUrl,
    'the cluster\'s service-account issuer, exactly as tokens carry it in "iss"',
  ),
  audience: required(audienceSet, 'the audience of the projected tokens this API accepts'),
  jwksUri: optional(httpsUrl),
  ca: optional(readExtraCaCerts),
  caFile: optional(caFile),
  tokenFile: optional(tokenFile),
  algorithms: withDefault(
    arrayOf(isSupportedAlgorithm, 'asymmetric JWS algorithms (RS256, ES256…)', { nonEmpty: true }),
    KUBERNETES_ALGORITHMS,
  ),
} as const satisfies Readers<KubernetesClusterOptions>

const CLUSTER_NAMES = {
  known: Object.keys(CLUSTER_READERS),
  elsewhere: new Map([
    ['extraCaCerts', 'the cluster\'s CA goes in "ca" (or "caFile") of its "kubernetes" entry'],
    ['token', 'the pod\'s own token is read from a file on every fetch: set "tokenFile"'],
    ['fetchHeaders', 'the only credential a cluster fetch carries is the token of "tokenFile"'],
  ]),
}

/**
 * Reads the `kubernetes` option into one issuer entry per cluster, named by its issuer: its
 * keys come from its discovery (or `jwksUri`), fetched with its CA and its token.
 */
export function resolveKubernetes(
  value: unknown,
  settings: WorkloadClaimSettings & { readonly jwks: ResolvedJwks },
  customFetch: boolean,
): readonly ResolvedIssuer[] {
  if (value === undefined) return []
  const list: readonly unknown[] = Array.isArray(value) ? value : [value]
  if (list.length === 0) {
    throw new TypeError('"kubernetes" must be a cluster\'s options or a non-empty array of them')
  }
  const seen = new Set<string>()
  return list.map((entry, index) => {
    const name = Array.isArray(value) ? `kubernetes[${String(index)}]` : 'kubernetes'
    const resolved = resolveCluster(optionRecord(entry, name), `${name}.`, settings, customFetch)
    if (seen.has(resolved.issuer)) {
      throw new TypeError(`"kubernetes" lists ${JSON.stringify(resolved.issuer)} twice`)
    }
    seen.add(resolved.issuer)
    return resolved
  })
}

function resolveCluster(
  record: OptionRecord,
  prefix: string,
  settings: WorkloadClaimSettings & { readonly jwks: ResolvedJwks },
  customFetch: boolean,
): ResolvedIssuer {
  rejectUnknownOptions(record, CLUSTER_NAMES, prefix)
  const read = readAll(record, CLUSTER_READERS, prefix)
  if (read.ca !== undefined && read.caFile !== undefined) {
    throw new TypeError(`pass either "${prefix}ca" or "${prefix}caFile", not both`)
  }
  const ca = read.ca ?? read.caFile
  if (ca !== undefined && customFetch) {
    throw new TypeError(
      `pass either "jwks.fetch" or "${prefix}${read.ca === undefined ? 'caFile' : 'ca'}", not both: trust the cluster's CA in your own fetch`,
    )
  }
  const { jwks } = settings
  // The cluster CA is trusted for this cluster's fetches only, through a pool of their own.
  const outbound =
    ca === undefined
      ? undefined
      : outboundFetch({
          proxy: jwks.proxy,
          extraCaCerts: [...(jwks.extraCaCerts ?? []), ...ca],
        })
  const base: FetchFunction = outbound?.fetch ?? jwks.fetch
  return {
    issuer: read.issuer,
    jwksUri: read.jwksUri,
    fetch:
      read.tokenFile === undefined
        ? base
        : serviceAccountFetch({
            fetch: base,
            tokenFile: read.tokenFile,
            issuer: read.issuer,
            jwksUri: read.jwksUri,
          }),
    closeFetch: outbound?.close,
    fetchHeaders: Object.freeze({}),
    jwksOrigins: new Set(),
    // Service-account tokens are bearer credentials; the API server never binds them to DPoP.
    dpopMode: 'off',
    rsaAlgorithm: rsaAlgorithmWithoutAlg(read.algorithms),
    header: {
      algorithms: new Set<JwsAlgorithm>(read.algorithms),
      // The API server writes no `typ`; one naming another kind of token is still refused.
      typ: DEFAULT_TYP_POLICY,
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
    workload: { kind: 'kubernetes' },
  }
}

/** `https:` only: a cluster's keys and the pod's token never travel over plain http. */
function httpsUrl(value: unknown, name: string): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (url?.protocol !== 'https:' || url.username !== '' || url.password !== '') {
    throw new TypeError(`"${name}" must be an https: URL without credentials`)
  }
  return value as string
}

function caFile(value: unknown, name: string): readonly string[] {
  if (!isNonEmptyString(value)) throw new TypeError(`"${name}" must be a file path`)
  let text: string
  try {
    text = readFileSync(value, 'utf8')
  } catch (error) {
    throw new TypeError(`"${name}" cannot be read: ${JSON.stringify(value)}`, { cause: error })
  }
  return readExtraCaCerts(text, name)
}

/** Checked readable now, so a wrong path fails at start-up; read again on every fetch. */
function tokenFile(value: unknown, name: string): string {
  if (!isNonEmptyString(value)) throw new TypeError(`"${name}" must be a file path`)
  try {
    accessSync(value, constants.R_OK)
  } catch (error) {
    throw new TypeError(`"${name}" cannot be read: ${JSON.stringify(value)}`, { cause: error })
  }
  return value
}

function audienceSet(value: unknown, name: string): ReadonlySet<string> {
  const list: unknown = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every(isNonEmptyString)) {
    throw new TypeError(`"${name}" must be a non-empty string or an array of them`)
  }
  return new Set(list)
}
