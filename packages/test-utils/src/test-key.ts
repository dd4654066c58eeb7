import { createHash, randomBytes, type KeyObject } from 'node:crypto'
import { generateKeyPairFor } from './key-generation.js'
import type { TestAlgorithm } from './test-algorithm.js'

/**
 * One signing key of a test issuer, with its public JWK ready to publish.
 *
 * @example
 * ```ts
 * const key: TestKey = await issuer.addKey({ alg: 'ES256' })
 * createPublicKey({ key: key.publicJwk, format: 'jwk' })
 * ```
 */
export interface TestKey {
  kid: string
  alg: TestAlgorithm
  privateKey: KeyObject
  publicKey: KeyObject
  /** Public JWK with `kid`, `alg` and `use: 'sig'`. */
  publicJwk: Record<string, unknown>
}

let counter = 0

/**
 * Returns a kid unique within the process: a counter for readable failures plus random bytes so
 * kids never repeat across issuers.
 *
 * @example
 * ```ts
 * nextKid() // 'key-7-3fa9c1'
 * ```
 */
export function nextKid(): string {
  counter += 1
  return `key-${counter}-${randomBytes(3).toString('hex')}`
}

/**
 * Generates a key pair for `alg` and wraps it as a {@link TestKey}.
 *
 * @example
 * ```ts
 * const key = await createTestKey('EdDSA')
 * ```
 */
export async function createTestKey(alg: TestAlgorithm, kid = nextKid()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPairFor(alg)
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicKey, publicJwk }
}

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK (what `trustedKeys` lists), computed here with
 * `node:crypto` alone so tests check keyward's (jose-based) thumbprints against an independent
 * implementation.
 *
 * @example
 * ```ts
 * jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 appendix A.3)
 * thumbprintOf(issuer.signingKey)
 * ```
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = REQUIRED_MEMBERS[String(jwk.kty)]
  if (members === undefined)
    throw new TypeError(`no RFC 7638 thumbprint for kty ${String(jwk.kty)}`)
  // RFC 7638 §3.3: no whitespace, members in lexicographic order, UTF-8.
  const json = `{${members.map((name) => `"${name}":${JSON.stringify(jwk[name])}`).join(',')}}`
  return createHash('sha256').update(json).digest('base64url')
}

/** The RFC 7638 thumbprint of a test key's public JWK; see {@link jwkThumbprint}. */
export function thumbprintOf(key: Pick<TestKey, 'publicJwk'>): string {
  return jwkThumbprint(key.publicJwk)
}
