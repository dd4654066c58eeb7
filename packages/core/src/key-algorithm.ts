import { ALGORITHMS, type JwsAlgorithm } from './algorithms.js'
import type { VerificationKey } from './jwk-import.js'

/**
 * The algorithm an RSA key verifies when its JWK names none: the issuer's only RSA algorithm
 * when its `algorithms` allowlist names exactly one, else RS256. RFC 7517 §4.4 makes `alg`
 * optional, and nothing in an RSA key tells PKCS#1 v1.5 from PSS or the hash, so the choice is
 * configuration's, never the token's (RFC 8725 §3.1); RS256 is the algorithm RFC 7518 §3.1 and
 * OpenID Connect Core §15.1 require every implementation to support.
 *
 * @example
 * ```ts
 * rsaAlgorithmWithoutAlg(['PS256', 'ES256']) // 'PS256'
 * rsaAlgorithmWithoutAlg(['RS256', 'PS256']) // 'RS256'
 * ```
 */
export function rsaAlgorithmWithoutAlg(allowlist: Iterable<JwsAlgorithm>): JwsAlgorithm {
  const rsa = [...allowlist].filter((alg) => ALGORITHMS[alg].kty === 'RSA')
  return rsa.length === 1 && rsa[0] !== undefined ? rsa[0] : 'RS256'
}

/**
 * Whether `key` may verify a token signed with `alg`. One key, one algorithm (RFC 8725 §3.1,
 * RFC 7517 §4.4): a JWK's own `alg` is that algorithm; without one, an EC key's curve fixes it
 * (P-256 → ES256, P-384 → ES384, P-521 → ES512), an Ed25519 key's is EdDSA (also spelt
 * Ed25519, RFC 9864: one scheme, two names), and an RSA key's is `rsaAlgorithm` (see
 * {@link rsaAlgorithmWithoutAlg}). A key that verified RS256 yesterday never verifies PS256
 * today.
 *
 * @example
 * ```ts
 * if (!keyFits(key, header.alg, issuer.rsaAlgorithm)) throw new KeywardError('invalid_signature')
 * ```
 */
export function keyFits(
  key: VerificationKey,
  alg: JwsAlgorithm,
  rsaAlgorithm: JwsAlgorithm,
): boolean {
  const spec = ALGORITHMS[alg]
  if (key.kty !== spec.kty) return false
  if (spec.crv !== undefined && key.crv !== spec.crv) return false
  const own = key.alg ?? (key.kty === 'RSA' ? rsaAlgorithm : alg)
  return own === alg || (isEd25519Name(own) && isEd25519Name(alg))
}

function isEd25519Name(alg: string): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519'
}
