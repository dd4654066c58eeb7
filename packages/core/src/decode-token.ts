import type { BoundedMemo } from './bounded-memo.js'
import { decodeBase64Url, decodeBase64UrlInto, decodedLength } from './base64url.js'
import { KeywardError } from './errors.js'
import { parseJsonObject } from './json-object.js'

/** A compact JWS split and decoded, before any policy or signature check. */
export interface DecodedToken {
  /** The parsed JOSE header: frozen, and shared by every token with the same header segment. */
  readonly header: Readonly<Record<string, unknown>>
  /** `BASE64URL(header)`, the key under which a verified header is remembered. */
  readonly headerSegment: string
  /** Whether `header` came from `knownHeaders` rather than from parsing. */
  readonly headerKnown: boolean
  readonly claims: Record<string, unknown>
  /** `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers (RFC 7515 §5.2). */
  readonly signingInput: string
  readonly signature: Buffer
}

/**
 * Splits and decodes a compact JWS with no leniency: exactly three canonical base64url segments,
 * a UTF-8 JSON object header and payload, a non-empty signature. Checks the size first, so an
 * oversized input costs nothing to reject.
 *
 * `knownHeaders` holds headers already parsed from the same segment: one issuer signs every
 * token with the same few headers, and the same bytes always parse to the same object.
 */
export function decodeToken(
  token: string,
  maxTokenBytes: number,
  knownHeaders?: BoundedMemo<Readonly<Record<string, unknown>>>,
): DecodedToken {
  // Characters, not bytes: every valid token is ASCII, and a non-ASCII one fails below anyway.
  if (token.length > maxTokenBytes) throw new KeywardError('token_too_large')
  const firstDot = token.indexOf('.')
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1)
  // RFC 7515 §7.1: three segments. Five (a JWE) or any other count is not an access token.
  if (secondDot === -1 || token.includes('.', secondDot + 1)) {
    throw new KeywardError('malformed_token')
  }
  const headerSegment = token.slice(0, firstDot)
  const known = knownHeaders?.get(headerSegment)
  const header = known ?? Object.freeze(decodeObject(headerSegment))
  const claims = decodeObject(token.slice(firstDot + 1, secondDot))
  const signature = decodeBase64Url(token.slice(secondDot + 1))
  if (signature === undefined || signature.length === 0) throw new KeywardError('malformed_token')
  return {
    header,
    headerSegment,
    headerKnown: known !== undefined,
    claims,
    signingInput: token.slice(0, secondDot),
    signature,
  }
}

/**
 * Where header and payload segments are decoded: they are parsed at once and never kept, so one
 * buffer serves every token (grown to the largest segment seen, bounded by `maxTokenBytes`).
 */
let segmentBytes = Buffer.allocUnsafeSlow(2048)

function decodeObject(segment: string): Record<string, unknown> {
  const needed = decodedLength(segment.length)
  if (needed > segmentBytes.length) segmentBytes = Buffer.allocUnsafeSlow(needed)
  const length = decodeBase64UrlInto(segment, segmentBytes)
  const value = length === -1 ? undefined : parseJsonObject(segmentBytes, length)
  if (value === undefined) throw new KeywardError('malformed_token')
  return value
}
