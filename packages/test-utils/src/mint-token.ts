import { signHmac, signJws } from './jws-signature.js'
import type { TestAlgorithm } from './test-algorithm.js'
import type { TestKey } from './test-key.js'

/**
 * How {@link TestIssuer.mint} builds a token. Every member exists to craft a hostile token; the
 * defaults produce a valid one.
 *
 * @example
 * ```ts
 * issuer.mint({}, { alg: 'none', kid: null, signature: 'none-empty' })
 * ```
 */
export interface MintOptions {
  /**
   * Key whose private half signs and whose kid goes in the header.
   * @defaultValue the issuer's current signing key
   */
  key?: TestKey
  /**
   * Header `alg`. The signature is still made with the key's own algorithm unless `signWith` or
   * `hmacSecret` is given, so this alone produces an alg/key mismatch.
   * @defaultValue `key.alg`, or `'HS256'` when `hmacSecret` is set
   */
  alg?: string
  /**
   * Algorithm the signature is actually computed with, using `key`'s private key.
   * @defaultValue `key.alg`
   */
  signWith?: TestAlgorithm
  /**
   * Header `kid`; `null` omits it.
   * @defaultValue `key.kid`
   */
  kid?: string | null
  /**
   * Header `typ`; `null` omits it.
   * @defaultValue `'at+jwt'` (RFC 9068 §2.1)
   */
  typ?: string | null
  /** Extra or overriding header members; a member set to `undefined` is removed. */
  header?: Record<string, unknown>
  /** Exact header JSON text, bypassing header building, for malformed-input tests. */
  rawHeader?: string
  /** Exact payload JSON text, bypassing the claims. */
  rawPayload?: string
  /**
   * `'valid'` signs; `'none-empty'` leaves the third segment empty; `'zeros'` is all-zero bytes
   * of the valid signature's length; a `Buffer` is used verbatim.
   * @defaultValue `'valid'`
   */
  signature?: 'valid' | 'none-empty' | 'zeros' | Buffer
  /**
   * Sign with HMAC using this secret, the hash taken from `alg` (HS256, HS384, HS512). Pass a
   * public key's PEM or JWK bytes to forge an algorithm-confusion token.
   */
  hmacSecret?: string | Buffer
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}

function buildHeader(alg: string, key: TestKey, options: MintOptions): Record<string, unknown> {
  const typ = options.typ === undefined ? 'at+jwt' : options.typ
  const kid = options.kid === undefined ? key.kid : options.kid
  const header: Record<string, unknown> = {
    alg,
    ...(typ === null ? {} : { typ }),
    ...(kid === null ? {} : { kid }),
    ...options.header,
  }
  return Object.fromEntries(Object.entries(header).filter(([, value]) => value !== undefined))
}

function validSignature(alg: string, key: TestKey, input: Buffer, options: MintOptions): Buffer {
  if (options.hmacSecret !== undefined) return signHmac(alg, options.hmacSecret, input)
  return signJws(options.signWith ?? key.alg, key.privateKey, input)
}

function signatureBytes(alg: string, key: TestKey, input: Buffer, options: MintOptions): Buffer {
  const mode = options.signature ?? 'valid'
  if (Buffer.isBuffer(mode)) return mode
  if (mode === 'none-empty') return Buffer.alloc(0)
  const valid = validSignature(alg, key, input, options)
  // Same length as a real signature, so only the cryptographic check can reject it.
  return mode === 'zeros' ? Buffer.alloc(valid.length) : valid
}

/**
 * Builds a compact JWS (RFC 7515 §7.1) from claims and a key, honouring every {@link MintOptions}.
 *
 * @example
 * ```ts
 * const token = mintToken({ sub: 'a' }, key, { typ: null })
 * ```
 */
export function mintToken(
  payload: Record<string, unknown>,
  key: TestKey,
  options: MintOptions = {},
): string {
  const alg = options.alg ?? (options.hmacSecret === undefined ? key.alg : 'HS256')
  const headerText = options.rawHeader ?? JSON.stringify(buildHeader(alg, key, options))
  const payloadText = options.rawPayload ?? JSON.stringify(payload)
  const signingInput = `${encode(headerText)}.${encode(payloadText)}`
  const signature = signatureBytes(alg, key, Buffer.from(signingInput, 'ascii'), options)
  return `${signingInput}.${signature.toString('base64url')}`
}
