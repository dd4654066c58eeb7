import { calculateJwkThumbprint } from 'jose'

/**
 * The RFC 7638 JWK thumbprint of a public key: SHA-256 over its required members (`e`, `kty`,
 * `n` for RSA; `crv`, `kty`, `x`, `y` for EC; `crv`, `kty`, `x` for OKP) in lexicographic order,
 * base64url without padding. It names the key material alone, whatever its `kid`, `alg` or
 * `use`: the identifier `trustedKeys` and `revokeKey` use, and what `jose`, `step crypto jwk
 * thumbprint` and most key-management tools print.
 *
 * @example
 * ```ts
 * await jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 appendix A.3)
 * ```
 */
export function jwkThumbprint(jwk: object): Promise<string> {
  // RFC 7638 §3.2: jose reads only the required members of the key type, so other members
  // (kid, alg, x5c, private members) never change the thumbprint.
  return calculateJwkThumbprint(jwk, 'sha256')
}

/**
 * Whether `value` is a SHA-256 JWK thumbprint as base64url: 43 characters encoding exactly 32
 * bytes, in canonical form (the last character's two spare bits are zero), so that one key has
 * one spelling and a comparison by string is a comparison by key.
 */
export function isJwkThumbprint(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) return false
  return Buffer.from(value, 'base64url').toString('base64url') === value
}
