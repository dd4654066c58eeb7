const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * Decodes one canonical base64url segment (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace,
 * no `+` or `/`, and no non-zero bits after the last full byte. Returns `undefined` for anything
 * else, because lenient decoders let two different strings mean the same token.
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  const remainder = segment.length % 4
  if (remainder === 1 || !BASE64URL.test(segment)) return undefined
  // RFC 4648 §3.5: canonical encodings have zero pad bits. The last character of a 2- or
  // 3-character tail carries 4 or 2 of them; checking it directly avoids a re-encode.
  if (remainder !== 0) {
    const padMask = remainder === 2 ? 0x0f : 0x03
    if ((sextet(segment.charCodeAt(segment.length - 1)) & padMask) !== 0) return undefined
  }
  return Buffer.from(segment, 'base64url')
}

/** The 6-bit value of a base64url character already known to be in the alphabet. */
function sextet(code: number): number {
  if (code >= 0x61) return code - 0x61 + 26 // a-z
  if (code >= 0x41) return code === 0x5f ? 63 : code - 0x41 // A-Z, _
  if (code >= 0x30) return code - 0x30 + 52 // 0-9
  return 62 // -
}
