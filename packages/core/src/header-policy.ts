import { isSupportedAlgorithm, type JwsAlgorithm } from './algorithms.js'
import { DEFAULTS } from './defaults.js'
import { KeywardError } from './errors.js'

/** The header members keyward acts on, after validation. */
export interface CheckedHeader {
  readonly alg: JwsAlgorithm
  readonly kid: string | undefined
}

/** Accepted `typ` values, lower-case and without the `application/` prefix. */
export type TypPolicy = ReadonlySet<string>

/** Default: an access token (`at+jwt`, RFC 9068 §2.1) or a generic `JWT`; absent is allowed. */
export const DEFAULT_TYP_POLICY: TypPolicy = new Set(DEFAULTS.typ.map(normaliseMediaType))

export interface HeaderPolicy {
  readonly algorithms: ReadonlySet<string>
  readonly typ: TypPolicy
  /** Whether a `typ` header is required (RFC 9068 profile). */
  readonly typRequired: boolean
}

/**
 * Applies the JOSE header rules before any key is touched. `jku`, `jwk`, `x5u` and `x5c` are
 * never read: the key always comes from the configured issuer's JWKS (RFC 8725 §3.10).
 */
export function checkHeader(header: Record<string, unknown>, policy: HeaderPolicy): CheckedHeader {
  const alg = header.alg
  // RFC 8725 §3.1: the allowlist decides; `none` and HS* are never in it.
  if (typeof alg !== 'string' || !policy.algorithms.has(alg) || !isSupportedAlgorithm(alg)) {
    throw new KeywardError('algorithm_not_allowed')
  }
  const typ = header.typ
  if (typ === undefined) {
    if (policy.typRequired) throw new KeywardError('invalid_type')
  } else if (typeof typ !== 'string' || !policy.typ.has(normaliseMediaType(typ))) {
    // RFC 8725 §3.11: explicit typing keeps ID tokens, DPoP proofs and logout tokens out.
    throw new KeywardError('invalid_type')
  }
  // RFC 7519 §5.2: `cty: JWT` means a nested JWT; keyward verifies access tokens only.
  if (header.cty !== undefined) {
    if (typeof header.cty !== 'string' || normaliseMediaType(header.cty) === 'jwt') {
      throw new KeywardError('invalid_type')
    }
  }
  // RFC 7515 §4.1.11: a recipient must reject extensions it does not understand; keyward
  // understands none.
  if (header.crit !== undefined) throw new KeywardError('malformed_token')
  // RFC 7797: an unencoded payload changes what the signature covers.
  if (header.b64 !== undefined && header.b64 !== true) throw new KeywardError('malformed_token')
  const kid = header.kid
  if (kid !== undefined && typeof kid !== 'string') throw new KeywardError('malformed_token')
  return { alg, kid }
}

/** RFC 7515 §4.1.9: `typ` is case-insensitive and `application/` may be omitted. */
export function normaliseMediaType(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}
