import { createHash } from 'node:crypto'
import { ALGORITHMS, type JwsAlgorithm } from './algorithms.js'
import { decodeToken, type DecodedToken } from './decode-token.js'
import type { DpopNonces } from './dpop-nonce.js'
import { normaliseHtu, requestUri, type RequestUriPolicy, type UriRequest } from './dpop-htu.js'
import { isKeywardError, KeywardError } from './errors.js'
import { normaliseMediaType } from './header-policy.js'

/** How proofs are checked: resolved from the `dpop` option. */
export interface DpopPolicy {
  /** The proof algorithms accepted (RFC 9449 §4.3 check 5): asymmetric only. */
  readonly algorithms: ReadonlySet<JwsAlgorithm>
  readonly maxProofBytes: number
  /** How old a proof's `iat` may be. */
  readonly maxAgeMs: number
  /** Allowed clock skew around `iat`, both ways. */
  readonly clockToleranceMs: number
  readonly uri: RequestUriPolicy
  readonly nonces: DpopNonces | undefined
}

/** The parts of a request a proof is checked against. */
export interface DpopRequest extends UriRequest {
  readonly rawHeaders?: readonly string[] | undefined
  readonly method?: string | undefined
}

/** A proof that passed every check but its signature and key binding. */
export interface CheckedProof {
  readonly decoded: DecodedToken
  readonly alg: JwsAlgorithm
  readonly jwk: Readonly<Record<string, unknown>>
  readonly jti: string
  /** Until when the proof could be accepted: its replay-store claim lasts this long. */
  readonly acceptableUntil: number
}

// RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2: members only a private (or symmetric) key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
// A `jti` is a random string (RFC 9449 §4.2: 96 bits suffice); anything longer is not one.
const MAX_JTI_LENGTH = 256

/**
 * Every check of RFC 9449 §4.3 that needs no signature, cheapest first, so a forged proof costs
 * a few string operations and one SHA-256: one `DPoP` header (check 1), a JWS within the size
 * limit (2), `typ` (4), `alg` (5), a public `jwk` (7), the claims (3), `htm` (8), `htu` (9),
 * `iat` (11), `ath` (12) and the nonce (10). Throws `invalid_dpop_proof`, or `use_dpop_nonce`
 * with a fresh nonce.
 */
export function checkProof(
  request: DpopRequest,
  accessToken: string,
  policy: DpopPolicy,
  now: number,
): CheckedProof {
  const proof = proofHeader(request, policy.maxProofBytes)
  let decoded: DecodedToken
  try {
    decoded = decodeToken(proof, policy.maxProofBytes)
  } catch (error) {
    throw invalid(isKeywardError(error) ? error.code : 'undecodable')
  }
  const { header, claims } = decoded
  const { typ, alg, jwk } = header
  if (typeof typ !== 'string' || normaliseMediaType(typ) !== 'dpop+jwt') throw invalid('typ')
  // `none`, HS256 and anything else outside the allowlist: never a proof (check 5).
  if (typeof alg !== 'string' || !policy.algorithms.has(alg as JwsAlgorithm)) throw invalid('alg')
  // RFC 7515 §4.1.11: no extension is understood, so none may be critical.
  if (header.crit !== undefined) throw invalid('crit')
  const algorithm = alg as JwsAlgorithm
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid('jwk')
  const key = jwk as Record<string, unknown>
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(key, name))) throw invalid('private_jwk')
  const spec = ALGORITHMS[algorithm]
  if (key.kty !== spec.kty || (spec.crv !== undefined && key.crv !== spec.crv)) {
    throw invalid('jwk_alg')
  }

  const { jti, htm, htu, iat, ath } = claims
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw invalid('jti')
  if (typeof htm !== 'string' || htm !== request.method) throw invalid('htm')
  // RFC 9449 §4.3 check 9: compared without query and fragment, both sides normalised.
  const uri = requestUri(policy.uri, request)
  if (typeof htu !== 'string' || uri === undefined || normaliseHtu(htu) !== uri) {
    throw invalid('htu')
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('iat')
  const issuedAt = iat * 1000
  if (issuedAt > now + policy.clockToleranceMs) throw invalid('iat_future')
  const acceptableUntil = issuedAt + policy.maxAgeMs + policy.clockToleranceMs
  if (acceptableUntil < now) throw invalid('iat_stale')
  // RFC 9449 §7: `ath` binds the proof to this access token's value.
  if (typeof ath !== 'string' || ath !== accessTokenHash(accessToken)) throw invalid('ath')
  // RFC 9449 §9: a missing or stale nonce is answered with a fresh one.
  if (policy.nonces !== undefined && !policy.nonces.accepts(claims.nonce)) {
    throw new KeywardError('use_dpop_nonce', { dpopNonce: policy.nonces.current() })
  }
  return { decoded, alg: algorithm, jwk: key, jti, acceptableUntil }
}

/** RFC 9449 §4.2: `ath` is the base64url SHA-256 of the access token's ASCII bytes. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'latin1').digest('base64url')
}

/** The replay-store key of a proof: its `jti`, scoped to the key that signed it (§11.1). */
export function proofReplayKey(thumbprint: string, jti: string): string {
  return `dpop:${createHash('sha256').update(`${thumbprint}\n${jti}`).digest('base64url')}`
}

/** RFC 9449 §4.3 check 1: exactly one `DPoP` header field, of bounded size. */
function proofHeader(request: DpopRequest, maxProofBytes: number): string {
  const raw = request.rawHeaders
  if (raw !== undefined) {
    // Node joins or drops repeated fields in `headers`; its raw list shows every line.
    let count = 0
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]
      if (name?.length === 4 && name.toLowerCase() === 'dpop') count++
    }
    if (count > 1) throw invalid('two_headers')
  }
  const value = request.headers.dpop
  if (typeof value !== 'string' || value === '') throw invalid('missing')
  if (value.length > maxProofBytes) throw invalid('too_large')
  return value
}

function invalid(reason: string): KeywardError {
  // The reason is for operators (`cause`), never rendered to the client.
  return new KeywardError('invalid_dpop_proof', { cause: reason })
}
