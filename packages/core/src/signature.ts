import { constants, verify } from 'node:crypto'
import { ALGORITHMS, type JwsAlgorithm } from './algorithms.js'
import type { VerificationKey } from './jwk-import.js'

/**
 * Verifies a JWS signature with `node:crypto` on a pre-imported `KeyObject`: synchronous, no
 * WebCrypto hand-off, and never throws (odd keys or signatures simply fail).
 */
export function verifySignature(
  key: VerificationKey,
  alg: JwsAlgorithm,
  signingInput: string,
  signature: Buffer,
): boolean {
  const spec = ALGORITHMS[alg]
  // RFC 7518 §3.4: ECDSA signatures are raw R || S of a fixed width. A DER signature, or one
  // of the wrong width, is not "almost right": it is wrong.
  if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) return false
  const data = Buffer.from(signingInput, 'latin1')
  try {
    if (spec.kty === 'EC') {
      return verify(spec.hash, data, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, signature)
    }
    if (spec.padding === 'pss') {
      return verify(
        spec.hash,
        data,
        {
          key: key.keyObject,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: spec.saltLength,
        },
        signature,
      )
    }
    return verify(spec.hash, data, key.keyObject, signature)
  } catch {
    return false
  }
}
