import { generateKeyPair, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import type { JWK } from 'oidc-provider'

const generateRsaKeyPair = promisify(generateKeyPair)

/** One RS256 signing key of the dev issuer; the private half never leaves the process. */
export interface SigningKey {
  readonly kid: string
  /** The private JWK handed to oidc-provider's `jwks` configuration. */
  readonly privateJwk: JWK
  readonly createdAt: number
}

/**
 * Generates a fresh RSA 2048 key. Keys are made at run time so nothing secret is ever committed;
 * the `kid` starts with the key's generation so people reading logs and tables can tell keys
 * apart, and ends with random hex so it never repeats across restarts.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey(1)
 * console.log(key.kid) // "k1-3f9a0c2e"
 * ```
 */
export async function generateSigningKey(generation: number): Promise<SigningKey> {
  const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 })
  const kid = `k${generation}-${randomBytes(4).toString('hex')}`
  return {
    kid,
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    createdAt: Date.now(),
  }
}
