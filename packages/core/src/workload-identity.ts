import { KeywardError } from './errors.js'
import { readKubernetesIdentity, type KubernetesIdentity } from './kubernetes-claims.js'
import { parseSpiffeId, type SpiffeId } from './spiffe-id.js'

/**
 * What kind of workload credential an issuer of the verifier accepts, beyond an OAuth access
 * token: JWT-SVIDs of one SPIFFE trust domain, or Kubernetes service-account tokens.
 */
export type WorkloadProfile =
  { readonly kind: 'spiffe'; readonly trustDomain: string } | { readonly kind: 'kubernetes' }

/** The identity a workload credential names, for the VerifiedToken. */
export interface WorkloadIdentity {
  readonly spiffe?: SpiffeId | undefined
  readonly kubernetes?: KubernetesIdentity | undefined
}

/**
 * Checks what a workload profile requires of a token's claims and returns the identity they
 * name. A JWT-SVID's `sub` must be a SPIFFE ID (JWT-SVID §3.1) of exactly the trust domain whose
 * keys verify it: `invalid_spiffe_id` otherwise, `untrusted_trust_domain` for an ID of another
 * trust domain. A service-account token's `kubernetes.io` claims must agree with its `sub`.
 *
 * @example
 * ```ts
 * const { spiffe } = readWorkloadIdentity({ kind: 'spiffe', trustDomain: 'example.org' }, claims)
 * ```
 */
export function readWorkloadIdentity(
  profile: WorkloadProfile,
  claims: Readonly<Record<string, unknown>>,
): WorkloadIdentity {
  if (profile.kind === 'kubernetes') return { kubernetes: readKubernetesIdentity(claims) }
  const spiffe = parseSpiffeId(claims.sub)
  if (spiffe === undefined) throw new KeywardError('invalid_spiffe_id')
  // SPIFFE Trust Domain and Bundle §3: a bundle is authoritative for its own trust domain only.
  if (spiffe.trustDomain !== profile.trustDomain) throw new KeywardError('untrusted_trust_domain')
  return { spiffe }
}

/**
 * The trust domain a token without a configured `iss` claims to come from, for a verifier that
 * trusts SPIFFE trust domains: `undefined` when the token does not look like a JWT-SVID (it has
 * an `iss` and its `sub` is not a `spiffe:` URI), so it gets `invalid_issuer` like any token of
 * an unknown issuer. A token that does look like one gets a precise answer: `invalid_spiffe_id`
 * when its `sub` is not a valid SPIFFE ID, else the trust domain name to look up.
 *
 * @example
 * ```ts
 * jwtSvidTrustDomain({ sub: 'spiffe://example.org/web', aud: 'api' }) // 'example.org'
 * ```
 */
export function jwtSvidTrustDomain(claims: Readonly<Record<string, unknown>>): string | undefined {
  const { sub } = claims
  // JWT-SVID §3: `iss` is not among its claims, so its absence marks one; a `sub` in the
  // `spiffe` scheme (any case: SPIFFE ID §2.4) marks one that has an `iss` too.
  const looksLikeSvid =
    claims.iss === undefined || (typeof sub === 'string' && /^spiffe:/i.test(sub))
  if (!looksLikeSvid) return undefined
  const spiffe = parseSpiffeId(sub)
  if (spiffe === undefined) throw new KeywardError('invalid_spiffe_id')
  return spiffe.trustDomain
}
