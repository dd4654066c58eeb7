import { constants, verify, type VerifyKeyObjectInput } from 'node:crypto'
import { ALGORITHMS, type JwsAlgorithm } from './algorithms.js'
import { derFromJoseSignature } from './ecdsa-der.js'
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
  const keyInput = verifyKeyInput(key, alg, signature)
  if (keyInput === undefined) return false
  try {
    return verify(
      ALGORITHMS[alg].hash,
      Buffer.from(signingInput, 'latin1'),
      keyInput,
      encodedForOpenSsl(alg, signature),
    )
  } catch {
    return false
  }
}

/**
 * The same check in libuv's thread pool (`crypto.verify`'s callback form): the event loop is
 * free while another core does the arithmetic. Never rejects.
 */
export function verifySignatureInThreadPool(
  key: VerificationKey,
  alg: JwsAlgorithm,
  signingInput: string,
  signature: Buffer,
): Promise<boolean> {
  const keyInput = verifyKeyInput(key, alg, signature)
  if (keyInput === undefined) return Promise.resolve(false)
  return new Promise((resolve) => {
    try {
      const data = Buffer.from(signingInput, 'latin1')
      const encoded = encodedForOpenSsl(alg, signature)
      // A DER form lives in a shared buffer until the next call: the pool gets its own copy.
      const own = encoded === signature ? signature : Buffer.from(encoded)
      verify(ALGORITHMS[alg].hash, data, keyInput, own, (error, ok) => {
        resolve(error === null && ok)
      })
    } catch {
      resolve(false)
    }
  })
}

/** The key with the algorithm's parameters, or `undefined` when the signature cannot match. */
function verifyKeyInput(
  key: VerificationKey,
  alg: JwsAlgorithm,
  signature: Buffer,
): VerificationKey['keyObject'] | VerifyKeyObjectInput | undefined {
  const spec = ALGORITHMS[alg]
  // RFC 7518 §3.4: ECDSA signatures are raw R || S of a fixed width. A DER signature, or one
  // of the wrong width, is not "almost right": it is wrong.
  if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) {
    return undefined
  }
  // RFC 8017 §8.1.2 / §8.2.2 step 1: an RSA signature is exactly as long as the modulus.
  // OpenSSL accepts a PSS signature with its leading zero byte removed, which would give one
  // token two spellings.
  if (key.signatureBytes !== undefined && signature.length !== key.signatureBytes) {
    return undefined
  }
  if (spec.padding === 'pss') {
    return {
      key: key.keyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: spec.saltLength,
    }
  }
  return key.keyObject
}

/** ECDSA signatures go to OpenSSL as DER (see `derFromJoseSignature`); others as they are. */
function encodedForOpenSsl(alg: JwsAlgorithm, signature: Buffer): Uint8Array {
  return ALGORITHMS[alg].kty === 'EC' ? derFromJoseSignature(signature) : signature
}
