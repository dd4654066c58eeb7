import { randomBytes, type KeyObject } from 'node:crypto'
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
