/**
 * A JWS signature algorithm the test issuer can sign with (RFC 7518 §3, RFC 8037 for EdDSA).
 *
 * @example
 * ```ts
 * const alg: TestAlgorithm = 'ES256'
 * ```
 */
export type TestAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

/**
 * Every {@link TestAlgorithm}, for tests that loop over all of them.
 *
 * @example
 * ```ts
 * for (const alg of testAlgorithms) await issuer.addKey({ alg })
 * ```
 */
export const testAlgorithms: readonly TestAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]

/** How one algorithm maps onto `node:crypto`: key family, digest and curve. */
export interface AlgorithmParams {
  family: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519'
  /** Digest name for `crypto.sign`; `null` for EdDSA, which hashes internally. */
  hash: 'sha256' | 'sha384' | 'sha512' | null
  /** Digest length in bytes: the PSS salt length RFC 7518 §3.5 requires. */
  hashBytes: number
  /** Named curve for EC keys (RFC 7518 §3.4). */
  curve?: 'P-256' | 'P-384' | 'P-521'
}

const params: Record<TestAlgorithm, AlgorithmParams> = {
  RS256: { family: 'rsa', hash: 'sha256', hashBytes: 32 },
  RS384: { family: 'rsa', hash: 'sha384', hashBytes: 48 },
  RS512: { family: 'rsa', hash: 'sha512', hashBytes: 64 },
  PS256: { family: 'rsa-pss', hash: 'sha256', hashBytes: 32 },
  PS384: { family: 'rsa-pss', hash: 'sha384', hashBytes: 48 },
  PS512: { family: 'rsa-pss', hash: 'sha512', hashBytes: 64 },
  ES256: { family: 'ec', hash: 'sha256', hashBytes: 32, curve: 'P-256' },
  ES384: { family: 'ec', hash: 'sha384', hashBytes: 48, curve: 'P-384' },
  ES512: { family: 'ec', hash: 'sha512', hashBytes: 64, curve: 'P-521' },
  EdDSA: { family: 'ed25519', hash: null, hashBytes: 0 },
}

/**
 * Looks up the `node:crypto` parameters of an algorithm.
 *
 * @example
 * ```ts
 * algorithmParams('PS384').hashBytes // 48
 * ```
 */
export function algorithmParams(alg: TestAlgorithm): AlgorithmParams {
  // Callers may pass an arbitrary string at runtime (tests love to); fail loudly, not with undefined.
  if (!Object.hasOwn(params, alg)) throw new TypeError(`unsupported test algorithm: ${alg}`)
  return params[alg]
}
