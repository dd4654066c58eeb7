import { generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { algorithmParams, type TestAlgorithm } from './test-algorithm.js'

const generate = promisify(generateKeyPair)

/** A freshly generated asymmetric key pair. */
export interface KeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
}

/**
 * Generates a key pair suitable for `alg`: RSA 2048 (or `rsaBits`), P-256/P-384/P-521, Ed25519.
 *
 * PS* keys are plain `rsa` keys rather than `rsa-pss` ones: Node cannot export `rsa-pss` keys as
 * JWK, and RFC 7518 §3.5 uses the same `kty: 'RSA'` JWK for both RSA schemes.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateKeyPairFor('ES256')
 * ```
 */
export async function generateKeyPairFor(alg: TestAlgorithm, rsaBits = 2048): Promise<KeyPair> {
  const { family, curve } = algorithmParams(alg)
  switch (family) {
    case 'rsa':
    case 'rsa-pss':
      return generate('rsa', { modulusLength: rsaBits })
    case 'ec':
      return generate('ec', { namedCurve: curve ?? 'P-256' })
    case 'ed25519':
      return generate('ed25519', undefined)
  }
}
