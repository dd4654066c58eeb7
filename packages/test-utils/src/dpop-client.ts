import { createHash, randomBytes } from 'node:crypto'
import { mintToken, type MintOptions } from './mint-token.js'
import type { TestAlgorithm } from './test-algorithm.js'
import { createTestKey, thumbprintOf, type TestKey } from './test-key.js'

/** What one DPoP proof (RFC 9449 §4.2) says, and how to spoil it. */
export interface ProofOptions {
  /** `htm`. */
  readonly htm: string
  /** `htu`. */
  readonly htu: string
  /** The access token whose hash goes in `ath`; `undefined` leaves `ath` out. */
  readonly token?: string
  /** `iat` in seconds. @defaultValue now */
  readonly iat?: number
  /** @defaultValue 16 random bytes, base64url */
  readonly jti?: string
  readonly nonce?: string
  /** Extra or overriding claims; a claim set to `undefined` is removed. */
  readonly claims?: Record<string, unknown>
  /** Extra or overriding header members (`typ`, `alg`, `jwk`); `undefined` removes one. */
  readonly header?: Record<string, unknown>
  /** Passed to the signer: `alg`, `signature`, `hmacSecret`, `signWith`. */
  readonly mint?: MintOptions
}

/**
 * A DPoP client holding a key pair, making proofs the way a real client does (and, for hostile
 * tests, the ways a real client never would).
 *
 * @example
 * ```ts
 * const client = await DpopClient.create('ES256')
 * const token = issuer.mint({ cnf: { jkt: client.jkt } })
 * await httpGet(url, client.headers('GET', 'https://api.test/protected', token))
 * ```
 */
export class DpopClient {
  readonly key: TestKey
  /** RFC 7638 thumbprint of the public key: the `cnf.jkt` of tokens bound to it. */
  readonly jkt: string
  /** The public JWK a proof carries: key members only, no `kid`, `alg` or `use`. */
  readonly publicJwk: Readonly<Record<string, unknown>>
  readonly #now: () => number

  private constructor(key: TestKey, now: () => number) {
    this.key = key
    this.jkt = thumbprintOf(key)
    // RFC 9449 §4.2: the public key alone; `kid`, `alg` and `use` say nothing a proof needs.
    const members = Object.entries(key.publicJwk).filter(
      ([name]) => name !== 'kid' && name !== 'alg' && name !== 'use',
    )
    this.publicJwk = Object.fromEntries(members)
    this.#now = now
  }

  static async create(alg: TestAlgorithm = 'ES256', now: () => number = Date.now) {
    return new DpopClient(await createTestKey(alg), now)
  }

  /** A proof; valid unless the options spoil it. */
  proof(options: ProofOptions): string {
    const claims: Record<string, unknown> = {
      jti: options.jti ?? randomBytes(16).toString('base64url'),
      htm: options.htm,
      htu: options.htu,
      iat: options.iat ?? Math.floor(this.#now() / 1000),
      ...(options.token === undefined ? {} : { ath: accessTokenHash(options.token) }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...options.claims,
    }
    const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined))
    return mintToken(payload, this.key, {
      typ: 'dpop+jwt',
      kid: null,
      ...options.mint,
      header: { jwk: this.publicJwk, ...options.header },
    })
  }

  /** `Authorization: DPoP <token>` and a fresh `DPoP` proof for this request. */
  headers(
    htm: string,
    htu: string,
    token: string,
    extra: Omit<ProofOptions, 'htm' | 'htu' | 'token'> = {},
  ): Record<string, string> {
    return { authorization: `DPoP ${token}`, dpop: this.proof({ ...extra, htm, htu, token }) }
  }
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the access token. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url')
}
