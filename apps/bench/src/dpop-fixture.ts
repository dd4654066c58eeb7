import { DpopClient } from '@keyward/test-utils'
import { AUDIENCE, tamper, validClaims, type AlgorithmFixture, type BadTokens } from './fixtures.js'

/** The algorithm of every benchmark proof: the one DPoP clients use most (RFC 9449 §4.2). */
export const PROOF_ALGORITHM = 'ES256'

/** The API's public URL in every DPoP case: the audience, so `htu` is `${AUDIENCE}/`. */
export const PUBLIC_BASE_URL = AUDIENCE

/** One request as `verifier.authenticate` and the adapters read it. */
export interface BenchRequest {
  readonly headers: Readonly<Record<string, string>>
  readonly method: string
  readonly url: string
}

/**
 * DPoP-bound tokens (`cnf.jkt`, RFC 9449 §6.1) from an algorithm fixture's issuer, and the
 * client holding the key they are bound to. Proofs are made with {@link DpopFixture.request}
 * before a timed region starts: each is good for one request only.
 */
export interface DpopFixture {
  readonly client: DpopClient
  /** `htu` of every valid proof: `GET /` behind {@link PUBLIC_BASE_URL}. */
  readonly htu: string
  readonly repeated: string
  readonly distinct: readonly string[]
  /** The fixture's four bad tokens, bound to the client's key. */
  readonly bad: BadTokens
  /** A valid token bound to another key: the proof's key does not match `cnf.jkt`. */
  readonly otherKey: string
  /** `GET /` with `Authorization: DPoP <token>` and a fresh proof for it. */
  request(token: string, proof?: { htu?: string; htm?: string }): BenchRequest
}

/**
 * Mints the bound tokens of one algorithm fixture.
 *
 * @example
 * ```ts
 * const dpop = await createDpopFixture(rs256, 4000)
 * await verifier.authenticate(dpop.request(dpop.repeated))
 * ```
 */
export async function createDpopFixture(
  fixture: AlgorithmFixture,
  distinctTokens: number,
): Promise<DpopFixture> {
  const client = await DpopClient.create(PROOF_ALGORITHM)
  const other = await DpopClient.create(PROOF_ALGORITHM)
  const { issuer } = fixture
  const cnf = { cnf: { jkt: client.jkt } }
  const distinct: string[] = []
  for (let i = 0; i < distinctTokens; i++) distinct.push(issuer.mint(validClaims(cnf)))
  const repeated = issuer.mint(validClaims(cnf))
  const now = Math.floor(Date.now() / 1000)
  const htu = `${PUBLIC_BASE_URL}/`
  return {
    client,
    htu,
    repeated,
    distinct,
    bad: {
      tampered: tamper(repeated, { sub: 'someone-else' }),
      expired: issuer.mint({ iat: now - 7200, exp: now - 3600, ...cnf }),
      wrongIssuer: issuer.mint(validClaims({ iss: 'https://evil.bench.test/', ...cnf })),
      wrongAudience: issuer.mint(validClaims({ aud: 'https://other-api.bench.test', ...cnf })),
    },
    otherKey: issuer.mint(validClaims({ cnf: { jkt: other.jkt } })),
    request(token, proof = {}) {
      return {
        headers: client.headers(proof.htm ?? 'GET', proof.htu ?? htu, token),
        method: 'GET',
        url: '/',
      }
    },
  }
}
