/** A JWS algorithm keyward can verify with a public key from a JWKS (RFC 7518 §3, RFC 8037). */
export type JwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'

export interface AlgorithmSpec {
  /** Node digest name, or `null` for EdDSA (the hash is part of the scheme). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null
  readonly kty: 'RSA' | 'EC' | 'OKP'
  /** Required curve for EC and OKP keys. */
  readonly crv?: string
  readonly padding?: 'pss'
  /** Exact signature length in bytes, where the algorithm fixes it (RFC 7518 §3.4). */
  readonly signatureBytes?: number
  /** PSS salt length: the hash output size (RFC 7518 §3.5). */
  readonly saltLength?: number
}

export const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', padding: 'pss', saltLength: 32 },
  PS384: { hash: 'sha384', kty: 'RSA', padding: 'pss', saltLength: 48 },
  PS512: { hash: 'sha512', kty: 'RSA', padding: 'pss', saltLength: 64 },
  // RFC 7518 §3.4: R and S as fixed-width big-endian integers, concatenated (not DER).
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', signatureBytes: 64 },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384', signatureBytes: 96 },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521', signatureBytes: 132 },
  // RFC 8037 §3.1; keyward supports the Ed25519 curve only.
  EdDSA: { hash: null, kty: 'OKP', crv: 'Ed25519', signatureBytes: 64 },
  // RFC 9864: the fully specified name for EdDSA over Ed25519.
  Ed25519: { hash: null, kty: 'OKP', crv: 'Ed25519', signatureBytes: 64 },
}

/** The default allowlist: every asymmetric algorithm above. `none` and HS* are never accepted. */
export const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(
  Object.keys(ALGORITHMS) as JwsAlgorithm[],
)

export function isSupportedAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg)
}
