import { randomBytes } from 'node:crypto'
import { generateKeyPairFor } from './key-generation.js'
import type { TestAlgorithm } from './test-algorithm.js'
import { nextKid } from './test-key.js'

/**
 * An RSA public JWK with a small modulus, which a verifier should refuse (RFC 7518 §3.3 requires
 * at least 2048 bits).
 *
 * @example
 * ```ts
 * server.setFault({ kind: 'keys', keys: [await weakRsaJwk(1024, issuer.signingKey.kid)] })
 * ```
 */
export async function weakRsaJwk(bits = 1024, kid = nextKid()): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPairFor('RS256', bits)
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
}

function encodeExponent(e: number | bigint): string {
  if (e < 0 || (typeof e === 'number' && !Number.isSafeInteger(e))) {
    throw new TypeError('"e" must be a non-negative integer')
  }
  const hex = e.toString(16)
  // JWK integers are big-endian and minimal (RFC 7518 §6.3.1), but still at least one octet.
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url')
}

/**
 * A 2048-bit RSA public JWK whose exponent is replaced by `e` (1, 3, 4, or a bigint of thousands
 * of bits), built by hand because no key generator produces such keys.
 *
 * @example
 * ```ts
 * const jwk = await rsaJwkWithExponent(1) // e: 'AQ'
 * ```
 */
export async function rsaJwkWithExponent(
  e: number | bigint,
  kid = nextKid(),
): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPairFor('RS256')
  const { n } = publicKey.export({ format: 'jwk' })
  return { kty: 'RSA', n, e: encodeExponent(e), kid, alg: 'RS256', use: 'sig' }
}

/**
 * A JWK that leaks private members (`d`, and `p`, `q`... for RSA), which a JWKS must never carry.
 *
 * @example
 * ```ts
 * const leaked = await privateJwk('ES256')
 * ```
 */
export async function privateJwk(
  alg: TestAlgorithm = 'RS256',
  kid = nextKid(),
): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPairFor(alg)
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
}

/**
 * A symmetric `oct` JWK: published, it invites HMAC algorithm confusion.
 *
 * @example
 * ```ts
 * server.setFault({ kind: 'keys', keys: [symmetricJwk('k1'), ...issuer.jwks().keys] })
 * ```
 */
export function symmetricJwk(kid = nextKid()): Record<string, unknown> {
  return { kty: 'oct', k: randomBytes(32).toString('base64url'), kid, alg: 'HS256' }
}

/**
 * An RSA public JWK marked `use: 'enc'` (with `alg: 'RSA-OAEP'`, as Keycloak publishes them),
 * which must not verify signatures (RFC 7517 §4.2).
 *
 * @example
 * ```ts
 * const enc = await encryptionJwk('enc-1')
 * ```
 */
export async function encryptionJwk(kid = nextKid()): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPairFor('RS256')
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RSA-OAEP', use: 'enc' }
}
