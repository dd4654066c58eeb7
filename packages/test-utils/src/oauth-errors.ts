/** An RFC 6750 §3.1 `error` code, as a bearer challenge or a JSON error body carries it. */
export type OAuthError =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

/**
 * The fixed `error_description` of every keyward code that has one, written out here rather than
 * imported from core, so that a changed or leaking description fails the tests of every layer.
 * The one table for core's tests, the attack suites and the adapter contract.
 *
 * @example
 * ```ts
 * expect(body.error_description).toBe(ERROR_DESCRIPTIONS.token_expired)
 * ```
 */
export const ERROR_DESCRIPTIONS = {
  invalid_request: 'malformed or duplicated credentials',
  insufficient_scope: 'insufficient scope',
  malformed_token: 'malformed access token',
  token_too_large: 'access token too large',
  algorithm_not_allowed: 'signing algorithm not allowed',
  invalid_type: 'token type not accepted',
  unknown_key: 'signing key not found',
  invalid_signature: 'invalid signature',
  invalid_issuer: 'issuer not accepted',
  invalid_audience: 'audience not accepted',
  token_expired: 'access token expired',
  token_not_yet_valid: 'access token not yet valid',
  invalid_claim: 'invalid claim',
  invalid_spiffe_id: 'subject is not a SPIFFE ID',
  untrusted_trust_domain: 'trust domain not trusted',
  x509_svid_key: 'key not authorized for JWT-SVIDs',
  workload_not_allowed: 'workload not allowed',
  invalid_dpop_proof: 'invalid DPoP proof',
  dpop_proof_replayed: 'DPoP proof already used',
  use_dpop_nonce: 'DPoP nonce required',
  dpop_binding_mismatch: 'DPoP key binding mismatch',
  dpop_required: 'DPoP-bound access token required',
  dpop_not_accepted: 'DPoP not accepted for this issuer',
  sender_constrained_token: 'sender-constrained access token presented as bearer',
  token_replayed: 'access token already used',
  token_revoked: 'access token revoked',
} as const

/** A keyward code answered with an RFC 6750 `error` and a description. */
export type DescribedCode = keyof typeof ERROR_DESCRIPTIONS

/**
 * The RFC 6750 `error` a keyward code is answered with: `invalid_request` and
 * `insufficient_scope` are their own, `workload_not_allowed` (a 403 from a SPIFFE ID or
 * service-account guard) is `insufficient_scope`, every other described code is `invalid_token`.
 *
 * @example
 * ```ts
 * oauthError('token_expired') // 'invalid_token'
 * ```
 */
export function oauthError(code: DescribedCode): OAuthError {
  if (code === 'workload_not_allowed') return 'insufficient_scope'
  if (code === 'invalid_request' || code === 'insufficient_scope') return code
  if (code === 'invalid_dpop_proof' || code === 'dpop_proof_replayed') return 'invalid_dpop_proof'
  if (code === 'use_dpop_nonce') return code
  return 'invalid_token'
}

/** Parameters of a challenge the server was configured with, or that the failure adds. */
export interface ChallengeParams {
  readonly realm?: string
  /** The `scope` of an `insufficient_scope` challenge. */
  readonly scope?: string
  readonly resourceMetadata?: string
}

/**
 * The exact `WWW-Authenticate` value for a rejection with `code`, parameters in keyward's order
 * (realm, error, error_description, scope, resource_metadata). `missing_token` gets no error
 * (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * expectedChallenge('token_expired') // 'Bearer error="invalid_token", error_description="access token expired"'
 * ```
 */
export function expectedChallenge(
  code: DescribedCode | 'missing_token',
  { realm, scope, resourceMetadata }: ChallengeParams = {},
): string {
  const params: string[] = []
  if (realm !== undefined) params.push(`realm="${realm}"`)
  if (code !== 'missing_token') {
    params.push(`error="${oauthError(code)}"`, `error_description="${ERROR_DESCRIPTIONS[code]}"`)
  }
  if (scope !== undefined) params.push(`scope="${scope}"`)
  if (resourceMetadata !== undefined) params.push(`resource_metadata="${resourceMetadata}"`)
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`
}

/** How a DPoP-accepting server challenges (RFC 9449 §7.1, §7.2). */
export interface DpopChallengeParams extends ChallengeParams {
  /** The `algs` it lists, in order. */
  readonly algs: readonly string[]
  /** Whether `Bearer` is offered too (mode `allowed`). */
  readonly bearer: boolean
  /** The scheme the rejected request used: its challenge carries the error. */
  readonly scheme: 'Bearer' | 'DPoP'
}

/**
 * The exact `WWW-Authenticate` value of a server accepting DPoP: a `Bearer` challenge first
 * when both schemes are offered, then `DPoP … algs="…"`; the error (if any) in the challenge of
 * the scheme the request used, or in the `DPoP` one when it is the only one.
 *
 * @example
 * ```ts
 * expectedDpopChallenge('invalid_dpop_proof', { algs: ['ES256'], bearer: true, scheme: 'DPoP' })
 * // 'Bearer, DPoP error="invalid_dpop_proof", error_description="invalid DPoP proof", algs="ES256"'
 * ```
 */
export function expectedDpopChallenge(
  code: DescribedCode | 'missing_token',
  { algs, bearer, scheme, realm, scope, resourceMetadata }: DpopChallengeParams,
): string {
  const onDpop = scheme === 'DPoP' || !bearer
  const dpop = expectedChallenge(onDpop ? code : 'missing_token', {
    realm,
    scope: onDpop ? scope : undefined,
    resourceMetadata,
  }).replace(/^Bearer/, 'DPoP')
  const withAlgs = `${dpop}${dpop === 'DPoP' ? ' ' : ', '}algs="${algs.join(' ')}"`
  if (!bearer) return withAlgs
  const plain = expectedChallenge(onDpop ? 'missing_token' : code, {
    realm,
    scope: onDpop ? undefined : scope,
    resourceMetadata,
  })
  return `${plain}, ${withAlgs}`
}
