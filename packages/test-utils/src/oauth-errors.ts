/** An RFC 6750 §3.1 `error` code, as a bearer challenge or a JSON error body carries it. */
export type OAuthError = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

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
  return code === 'invalid_request' || code === 'insufficient_scope' ? code : 'invalid_token'
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
