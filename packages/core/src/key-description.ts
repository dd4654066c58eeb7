import { X509Certificate } from 'node:crypto'
import { clip } from './events.js'
import type { VerificationKey } from './jwk-import.js'

/**
 * What an admission hook and the key inventory learn about a published key: public facts only,
 * never the key material itself.
 */
export interface KeyDescription {
  /** The configured issuer whose JWKS publishes the key. */
  readonly issuer: string
  /** The JWK's `kid` (clipped to 128 characters), if any. */
  readonly kid: string | undefined
  /** RFC 7638 SHA-256 thumbprint, base64url: the name `trustedKeys` and `revokeKey` use. */
  readonly thumbprint: string
  readonly kty: 'RSA' | 'EC' | 'OKP'
  /** `P-256`, `P-384`, `P-521` or `Ed25519`; `undefined` for RSA. */
  readonly crv: string | undefined
  /** Key size: the RSA modulus length, or the curve's size. */
  readonly bits: number
  /** The JWK's own `alg`, if any. */
  readonly alg: string | undefined
  /**
   * The subject of the JWK's first `x5c` certificate (RFC 7517 §4.7), only when that
   * certificate holds this very public key. The chain is not validated against any trust
   * store: treat it as a label the issuer chose, bound to the key and nothing more.
   */
  readonly x5cSubject: string | undefined
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  'P-256': 256,
  'P-384': 384,
  'P-521': 521,
  Ed25519: 256,
}

/**
 * Describes a key for an admission hook. `withCertificate` parses the `x5c` certificate (an
 * X.509 parse per key, so only when a hook will read it).
 *
 * @example
 * ```ts
 * const description = describeKey(issuer, key, { withCertificate: true })
 * ```
 */
export function describeKey(
  issuer: string,
  key: VerificationKey,
  { withCertificate }: { readonly withCertificate: boolean },
): KeyDescription {
  return Object.freeze({
    issuer,
    kid: clip(key.kid),
    thumbprint: key.thumbprint,
    kty: key.kty,
    crv: key.crv,
    bits: keyBits(key),
    alg: key.alg,
    x5cSubject: withCertificate ? certificateSubject(key) : undefined,
  })
}

/** The RSA modulus length, or the curve's size. */
export function keyBits(key: VerificationKey): number {
  if (key.kty === 'RSA') return key.keyObject.asymmetricKeyDetails?.modulusLength ?? 0
  return CURVE_BITS[key.crv ?? ''] ?? 0
}

/**
 * RFC 7517 §4.7: "the key in the first certificate MUST match the public key represented by
 * other members of the JWK". A certificate that does not is ignored rather than believed: its
 * subject would be a name anyone can attach to their own key.
 */
function certificateSubject(key: VerificationKey): string | undefined {
  if (key.x5c === undefined) return undefined
  try {
    const certificate = new X509Certificate(Buffer.from(key.x5c, 'base64'))
    if (!certificate.publicKey.equals(key.keyObject)) return undefined
    return clip(certificate.subject, 512)
  } catch {
    return undefined
  }
}
