import { decodeToken } from './decode-token.js'
import { DEFAULTS } from './defaults.js'

/** A token's header and claims, read without checking anything they say. */
export interface UnverifiedToken {
  /** The JOSE header, as sent. Nothing in it is trusted. */
  readonly header: Readonly<Record<string, unknown>>
  /** The claims, as sent. Nothing in them is trusted. */
  readonly claims: Readonly<Record<string, unknown>>
  /** Length of the decoded signature in bytes; the signature itself is never returned. */
  readonly signatureBytes: number
}

/**
 * Decodes a compact JWS with the verifier's strict syntax rules (three canonical base64url
 * segments, UTF-8 JSON objects, no duplicate members) and returns its header and claims without
 * verifying anything: for diagnostics such as `keyward explain`, never for decisions. The
 * signature is not returned, so it cannot end up in a log. Throws a `KeywardError`
 * (`token_too_large`, `malformed_token`) when the token cannot be decoded.
 *
 * @example
 * ```ts
 * const { header, claims } = decodeUnverified(token)
 * console.log(header.kid, claims.iss, claims.aud) // untrusted: for a person to read
 * ```
 */
export function decodeUnverified(
  token: string,
  options: {
    /**
     * Longest token decoded.
     * @defaultValue 8192 (the verifier's `maxTokenBytes`)
     */
    readonly maxTokenBytes?: number
  } = {},
): UnverifiedToken {
  const decoded = decodeToken(token, options.maxTokenBytes ?? DEFAULTS.maxTokenBytes)
  return {
    // Copies with a null prototype, as decoded: `__proto__` in a token stays an inert member.
    header: Object.freeze(Object.assign(Object.create(null) as object, decoded.header)),
    claims: Object.freeze(Object.assign(Object.create(null) as object, decoded.claims)),
    signatureBytes: decoded.signature.length,
  }
}
