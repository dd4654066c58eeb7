import { decodeBase64Url } from './base64url.js'
import { KeywardError } from './errors.js'
import { parseJsonObject } from './json-object.js'

/** A compact JWS split and decoded, before any policy or signature check. */
export interface DecodedToken {
  readonly header: Record<string, unknown>
  readonly claims: Record<string, unknown>
  /** `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers (RFC 7515 §5.2). */
  readonly signingInput: string
  readonly signature: Buffer
}

/**
 * Splits and decodes a compact JWS with no leniency: exactly three canonical base64url segments,
 * a UTF-8 JSON object header and payload, a non-empty signature. Checks the size first, so an
 * oversized input costs nothing to reject.
 */
export function decodeToken(token: string, maxTokenBytes: number): DecodedToken {
  // Characters, not bytes: every valid token is ASCII, and a non-ASCII one fails below anyway.
  if (token.length > maxTokenBytes) throw new KeywardError('token_too_large')
  const firstDot = token.indexOf('.')
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1)
  // RFC 7515 §7.1: three segments. Five (a JWE) or any other count is not an access token.
  if (secondDot === -1 || token.includes('.', secondDot + 1)) {
    throw new KeywardError('malformed_token')
  }
  const headerBytes = decodeBase64Url(token.slice(0, firstDot))
  const payloadBytes = decodeBase64Url(token.slice(firstDot + 1, secondDot))
  const signature = decodeBase64Url(token.slice(secondDot + 1))
  if (headerBytes === undefined || payloadBytes === undefined || signature === undefined) {
    throw new KeywardError('malformed_token')
  }
  if (signature.length === 0) throw new KeywardError('malformed_token')
  const header = parseJsonObject(headerBytes)
  const claims = header === undefined ? undefined : parseJsonObject(payloadBytes)
  if (header === undefined || claims === undefined) throw new KeywardError('malformed_token')
  return { header, claims, signingInput: token.slice(0, secondDot), signature }
}
