import { KeyObject } from 'node:crypto'
import { importJWK } from 'jose'
import { ALGORITHMS, isSupportedAlgorithm } from './algorithms.js'
import { jwkThumbprint } from './jwk-thumbprint.js'

/** A public key from a JWKS, validated and imported once, ready to verify signatures. */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly kty: 'RSA' | 'EC' | 'OKP'
  readonly crv: string | undefined
  /** The JWK's own `alg`, which then is the only algorithm this key verifies. */
  readonly alg: string | undefined
  readonly keyObject: KeyObject
  /**
   * The exact signature length this key produces, when the key fixes it: the RSA modulus
   * length (RFC 8017 §8.1.2 and §8.2.2, step 1), 64 for Ed25519 (RFC 8032 §5.1.7). ECDSA widths
   * come from the algorithm.
   */
  readonly signatureBytes: number | undefined
  /**
   * Everything that decides which tokens this key verifies: `kid`, `alg` and the public key
   * material (with `kty` and `crv`). Equal fingerprints are the same key across fetches, so a
   * key republished with another `alg` is a new key, and verifications cached under the old one
   * stop. (`use` and `key_ops` only decide whether a key is kept at all.)
   */
  readonly fingerprint: string
  /**
   * RFC 7638 SHA-256 thumbprint of the public key material (whatever the `kid` or `alg`): what
   * `trustedKeys`, `revokeKey` and the key inventory name a key by.
   */
  readonly thumbprint: string
  /**
   * The first `x5c` certificate (RFC 7517 §4.7, base64 DER), kept only to describe the key to an
   * admission hook; it never takes part in verification.
   */
  readonly x5c: string | undefined
  /**
   * Tokens accepted with this key (verified-token cache hits included) since it was first
   * fetched: a counter on the key object, the cheapest thing to touch on the hot path.
   */
  verifications: number
}

/** Why a JWK was left out of the key set. Reported in `jwks_key_dropped` events. */
export type KeyDropReason =
  | 'not_an_object'
  | 'invalid_kid'
  | 'duplicate_kid'
  | 'private_key'
  | 'symmetric_key'
  | 'not_for_signing'
  | 'no_verify_operation'
  | 'unsupported_algorithm'
  | 'unsupported_key_type'
  | 'unsupported_curve'
  | 'weak_rsa_key'
  | 'weak_rsa_exponent'
  | 'rsa_exponent_too_large'
  | 'small_order_key'
  | 'invalid_key'
  | 'too_many_keys'
  // Refused by the issuer's key policy (issue 14): not in `trustedKeys`, or refused by `admitKey`;
  // `admitKey` threw, answered something other than a boolean, or did not answer in time; or
  // revoked by the operator with `revokeKey`.
  | 'unmanaged_key'
  | 'admission_failed'
  | 'revoked_key'
  // SPIFFE bundles (Trust Domain and Bundle §4.2.2): a key for X.509-SVIDs, a key whose `use`
  // is neither SVID type, and a `jwt-svid` key without the `kid` JWT-SVIDs name it by.
  | 'x509_svid_key'
  | 'not_for_jwt_svid'
  | 'missing_kid'

/**
 * What a key document's `use` members mean: `sig` for an OAuth / OpenID JWKS (RFC 7517 §4.2,
 * `use` optional), `jwt-svid` for a SPIFFE bundle, where `use` names the SVID type a key is
 * authoritative for and only `jwt-svid` keys verify tokens.
 */
export type KeyUse = 'sig' | 'jwt-svid'

export type JwkImportResult =
  | { readonly key: VerificationKey; readonly reason?: undefined }
  | { readonly key?: undefined; readonly reason: KeyDropReason }

// RFC 7518 §6.3.2 / §6.2.2 / RFC 7517 §4: members that only a private key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const EC_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
}
// RFC 8725 §3.5 and NIST SP 800-57: RSA below 2048 bits is breakable; above 16384 is a CPU trap.
const MIN_RSA_BITS = 2048
const MAX_RSA_BITS = 16384
// Every issuer publishes e = 65537 (RFC 8017 allows any odd e ≥ 3, NIST SP 800-56B caps it at
// 2^256). Verifying costs one or two modular multiplications per bit of e, so a key with a 3000-bit e
// makes each forged token naming it cost tens of times a normal one. Go's crypto/rsa refuses
// e > 2^31 - 1 and BoringSSL e over 33 bits; keyward keeps e < 2^32.
const MAX_RSA_EXPONENT_BYTES = 4

/**
 * Validates one JWK on its own and imports it, so that one bad key never poisons a set. Only
 * public signature keys of a supported type survive.
 */
export async function importVerificationKey(
  jwk: unknown,
  keyUse: KeyUse = 'sig',
): Promise<JwkImportResult> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    return { reason: 'not_an_object' }
  }
  const member = (name: string): unknown =>
    Object.hasOwn(jwk, name) ? (jwk as never)[name] : undefined
  const kid = member('kid')
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) return { reason: 'invalid_kid' }
  const kty = member('kty')
  if (kty === 'oct') return { reason: 'symmetric_key' }
  if (PRIVATE_MEMBERS.some((name) => member(name) !== undefined)) return { reason: 'private_key' }
  // RFC 7517 §4.2 / §4.3: a key meant for encryption never verifies a signature.
  const use = member('use')
  if (keyUse === 'jwt-svid') {
    // SPIFFE Trust Domain and Bundle §4.2.2: `use` is required and names the SVID type; keys
    // of an unknown use are ignored. An X.509-SVID authority never signs a JWT-SVID.
    if (use === 'x509-svid') return { reason: 'x509_svid_key' }
    if (use !== 'jwt-svid') return { reason: 'not_for_jwt_svid' }
    // JWT-SVID keys are published under a key id (go-spiffe and SPIRE refuse one without).
    if (kid === undefined) return { reason: 'missing_kid' }
  } else if (use !== undefined && use !== 'sig') {
    return { reason: 'not_for_signing' }
  }
  const keyOps = member('key_ops')
  if (keyOps !== undefined && (!Array.isArray(keyOps) || !keyOps.includes('verify'))) {
    return { reason: 'no_verify_operation' }
  }
  const alg = member('alg')
  if (alg !== undefined && !isSupportedAlgorithm(alg)) return { reason: 'unsupported_algorithm' }
  if (alg !== undefined && ALGORITHMS[alg].kty !== kty) return { reason: 'unsupported_algorithm' }

  let material: Record<string, string>
  let importAlg: string
  let crv: string | undefined
  if (kty === 'RSA') {
    const n = member('n')
    const e = member('e')
    if (typeof n !== 'string' || typeof e !== 'string') return { reason: 'invalid_key' }
    const weakness = rsaWeakness(n, e)
    if (weakness !== undefined) return { reason: weakness }
    material = { kty, n, e }
    importAlg = 'RS256'
  } else if (kty === 'EC') {
    crv = stringMember(member('crv'))
    const x = member('x')
    const y = member('y')
    if (crv === undefined || !Object.hasOwn(EC_CURVES, crv)) return { reason: 'unsupported_curve' }
    if (typeof x !== 'string' || typeof y !== 'string') return { reason: 'invalid_key' }
    if (alg !== undefined && ALGORITHMS[alg].crv !== crv) return { reason: 'unsupported_algorithm' }
    material = { kty, crv, x, y }
    importAlg = EC_CURVES[crv] ?? 'ES256'
  } else if (kty === 'OKP') {
    crv = stringMember(member('crv'))
    const x = member('x')
    if (crv !== 'Ed25519') return { reason: 'unsupported_curve' }
    if (typeof x !== 'string') return { reason: 'invalid_key' }
    if (isSmallOrderEd25519(x)) return { reason: 'small_order_key' }
    material = { kty, crv, x }
    importAlg = 'Ed25519'
  } else {
    return { reason: 'unsupported_key_type' }
  }

  let keyObject: KeyObject
  try {
    // jose validates the material (lengths, points on the curve through WebCrypto).
    const cryptoKey = await importJWK(material, importAlg)
    if (cryptoKey instanceof Uint8Array) return { reason: 'invalid_key' }
    keyObject = KeyObject.from(cryptoKey)
  } catch {
    return { reason: 'invalid_key' }
  }
  if (keyObject.type !== 'public') return { reason: 'invalid_key' }
  const x5c = member('x5c')
  const certificate: unknown = Array.isArray(x5c) ? x5c[0] : undefined
  return {
    key: {
      kid,
      kty,
      crv,
      alg,
      keyObject,
      signatureBytes: signatureBytesOf(keyObject),
      fingerprint: JSON.stringify([kid ?? null, alg ?? null, material]),
      thumbprint: await jwkThumbprint(material),
      x5c: typeof certificate === 'string' ? certificate : undefined,
      verifications: 0,
    },
  }
}

function signatureBytesOf(keyObject: KeyObject): number | undefined {
  if (keyObject.asymmetricKeyType === 'ed25519') return 64
  const bits = keyObject.asymmetricKeyDetails?.modulusLength
  return bits === undefined ? undefined : Math.ceil(bits / 8)
}

function stringMember(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * RSA keys too small to be safe, or with a public exponent that is even or below 3: WebCrypto
 * imports `e = 1`, and then any "signature" equal to the padded hash verifies. Keys too large
 * (modulus or exponent) to verify cheaply are dropped too: anyone may send tokens naming them.
 */
function rsaWeakness(n: string, e: string): KeyDropReason | undefined {
  const modulus = stripLeadingZeros(Buffer.from(n, 'base64url'))
  const exponent = stripLeadingZeros(Buffer.from(e, 'base64url'))
  const first = modulus[0]
  if (first === undefined || exponent.length === 0) return 'invalid_key'
  const bits = (modulus.length - 1) * 8 + (32 - Math.clz32(first))
  if (bits < MIN_RSA_BITS) return 'weak_rsa_key'
  if (bits > MAX_RSA_BITS) return 'invalid_key'
  if (exponent.length > MAX_RSA_EXPONENT_BYTES) return 'rsa_exponent_too_large'
  const last = exponent[exponent.length - 1] ?? 0
  if ((last & 1) === 0) return 'weak_rsa_exponent'
  if (exponent.length === 1 && last < 3) return 'weak_rsa_exponent'
  return undefined
}

// The Ed25519 points of order 1, 2, 4 and 8 and their non-canonical encodings, as libsodium
// blocks them (sign bit ignored). Node imports them, and then a signature with S = 0 and a
// small-order R verifies most messages: anyone can forge tokens for such a key, as with RSA e = 1.
const SMALL_ORDER_ED25519 = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'))

/** Whether an Ed25519 public key is a small-order point (RFC 8032 §5.1.7 does not exclude them). */
function isSmallOrderEd25519(x: string): boolean {
  const point = Buffer.from(x, 'base64url')
  if (point.length !== 32) return false
  // The top bit is the sign of the x coordinate; small-order points are weak with either sign.
  point[31] = (point[31] ?? 0) & 0x7f
  return SMALL_ORDER_ED25519.some((weak) => weak.equals(point))
}

function stripLeadingZeros(bytes: Buffer): Buffer {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  return bytes.subarray(start)
}
