import { KeywardError } from './errors.js'

/**
 * RFC 7519 §5.3: a claim replicated as a header parameter must be identical to the claim.
 * `iss`, `sub` and `aud` in the header, when present, must equal the payload's (the same
 * string, or the same array in the same order); a mismatch, or a header copy of a claim the
 * payload lacks, is `invalid_claim`. Otherwise a component that reads the header (a gateway, a
 * log pipeline) and keyward, which reads the payload, would disagree about who the token is
 * for.
 *
 * @example
 * ```ts
 * checkReplicatedClaims({ alg: 'RS256', iss: 'https://a' }, { iss: 'https://b' }) // throws invalid_claim
 * ```
 */
export function checkReplicatedClaims(
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
): void {
  // RFC 7519 §5.3: claims an issuer may copy into the JOSE header, for use before decryption.
  // keyward acts on these three; a copy that differs is two answers to one question. Read by
  // name: a loop over the names would make one keyed read that goes megamorphic.
  checkCopy(header.iss, claims.iss)
  checkCopy(header.sub, claims.sub)
  checkCopy(header.aud, claims.aud)
}

function checkCopy(copy: unknown, claim: unknown): void {
  if (copy !== undefined && !sameValue(copy, claim)) throw new KeywardError('invalid_claim')
}

/** JSON equality for what these claims may hold: strings, and arrays of them. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
  const left: readonly unknown[] = a
  const right: readonly unknown[] = b
  return left.every((entry, index) => typeof entry === 'string' && entry === right[index])
}
