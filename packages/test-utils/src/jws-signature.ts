import { constants, createHmac, sign, type KeyObject } from 'node:crypto'
import { algorithmParams, type TestAlgorithm } from './test-algorithm.js'

/**
 * Signs a JWS signing input with `alg`, producing the bytes RFC 7518 puts in the signature.
 *
 * @example
 * ```ts
 * const sig = signJws('ES256', key.privateKey, Buffer.from(`${header}.${payload}`))
 * ```
 */
export function signJws(alg: TestAlgorithm, privateKey: KeyObject, data: Buffer): Buffer {
  const { family, hash, hashBytes } = algorithmParams(alg)
  switch (family) {
    case 'rsa':
      // RFC 7518 §3.3: RSASSA-PKCS1-v1_5.
      return sign(hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING })
    case 'rsa-pss':
      // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
      return sign(hash, data, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: hashBytes,
      })
    case 'ec':
      // RFC 7518 §3.4: raw R || S, not the DER sequence OpenSSL produces by default.
      return sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    case 'ed25519':
      // RFC 8037 §3.1: Ed25519 hashes internally, so no digest is named.
      return sign(null, data, privateKey)
  }
}

const hmacHashes: Record<string, string> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
}

/**
 * Signs with HMAC (RFC 7518 §3.2), for algorithm-confusion tokens keyed with a public key's bytes.
 *
 * @example
 * ```ts
 * const sig = signHmac('HS256', publicKeyPem, Buffer.from(signingInput))
 * ```
 */
export function signHmac(alg: string, secret: string | Buffer, data: Buffer): Buffer {
  const hash = hmacHashes[alg]
  if (hash === undefined)
    throw new TypeError(`"alg" must be HS256, HS384 or HS512 for HMAC: ${alg}`)
  return createHmac(hash, secret).update(data).digest()
}
