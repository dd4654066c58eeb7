import { constants, createPublicKey, verify } from 'node:crypto'

// Written independently of src/jws-signature.ts from RFC 7518 §3, so a wrong padding, salt
// length or signature encoding in the issuer makes verification fail here.
const schemes: Record<string, { hash: string | null; options: Record<string, unknown> }> = {
  RS256: { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PADDING } },
  RS384: { hash: 'sha384', options: { padding: constants.RSA_PKCS1_PADDING } },
  RS512: { hash: 'sha512', options: { padding: constants.RSA_PKCS1_PADDING } },
  PS256: { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  PS384: { hash: 'sha384', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 } },
  PS512: { hash: 'sha512', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 } },
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  ES512: { hash: 'sha512', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { hash: null, options: {} },
}

export interface DecodedToken {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  signature: Buffer
  signingInput: string
}

/** Splits a compact JWS and parses its JSON segments. */
export function decode(token: string): DecodedToken {
  const [header = '', payload = '', signature = ''] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    signature: Buffer.from(signature, 'base64url'),
    signingInput: `${header}.${payload}`,
  }
}

/** Verifies `token` with `jwk` using the scheme named by `alg` (default: the header's alg). */
export function verifyCompact(token: string, jwk: Record<string, unknown>, alg?: string): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.')
  // Parse the header only when needed, so malformed raw segments can still be verified.
  const name = alg ?? String(JSON.parse(Buffer.from(header, 'base64url').toString()).alg)
  const scheme = schemes[name]
  if (scheme === undefined) throw new Error(`no scheme for ${name}`)
  const key = createPublicKey({ key: jwk, format: 'jwk' })
  const data = Buffer.from(`${header}.${payload}`)
  return verify(scheme.hash, data, { key, ...scheme.options }, Buffer.from(signature, 'base64url'))
}
