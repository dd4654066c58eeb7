const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * Decodes one canonical base64url segment (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace,
 * no `+` or `/`, and no non-zero bits after the last full byte. Returns `undefined` for anything
 * else, because lenient decoders let two different strings mean the same token.
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  if (segment.length % 4 === 1 || !BASE64URL.test(segment)) return undefined
  const bytes = Buffer.from(segment, 'base64url')
  // RFC 4648 §3.5: canonical encodings have zero pad bits. Re-encoding exposes any that are not.
  if (segment.length % 4 !== 0 && bytes.toString('base64url') !== segment) return undefined
  return bytes
}
