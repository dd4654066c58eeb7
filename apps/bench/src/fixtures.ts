import type { KeyObject } from 'node:crypto'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'

/** The algorithms every suite compares. */
export type BenchAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

export const BENCH_ALGORITHMS: readonly BenchAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

export const AUDIENCE = 'https://api.bench.test'

/** Tokens every contender must reject before its numbers count. */
export interface BadTokens {
  /** A valid token whose payload was changed after signing. */
  readonly tampered: string
  readonly expired: string
  readonly wrongIssuer: string
  readonly wrongAudience: string
}

/** One issuer (one signing key, one algorithm) with its JWKS server and its tokens. */
export interface AlgorithmFixture {
  readonly alg: BenchAlgorithm
  readonly issuer: TestIssuer
  /** `iss` of the tokens; also the expected issuer of every contender. */
  readonly iss: string
  readonly server: JwksServer
  readonly kid: string
  readonly publicKey: KeyObject
  readonly publicPem: string
  readonly publicJwk: Record<string, unknown>
  /** Distinct valid tokens: more than any contender caches, so a cycle never hits a cache. */
  readonly distinct: readonly string[]
  /** One valid token, presented again and again. */
  readonly repeated: string
  readonly bad: BadTokens
}

/** Lifetime of benchmark tokens: longer than any full run, shorter than anyone's maximum. */
const TOKEN_LIFETIME_S = 2 * 60 * 60

/**
 * Claims of a valid benchmark token issued now; `overrides` change or add claims.
 *
 * @example
 * ```ts
 * issuer.mint(validClaims({ aud: 'https://elsewhere' }))
 * ```
 */
export function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000)
  return { iat, exp: iat + TOKEN_LIFETIME_S, ...overrides }
}

/**
 * Replaces the payload of a signed token, keeping header and signature: the signature no
 * longer covers what the token says.
 *
 * @example
 * ```ts
 * tamper(token, { sub: 'admin' })
 * ```
 */
export function tamper(token: string, changes: Record<string, unknown>): string {
  const [header = '', payload = '', signature = ''] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object
  const forged = Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url')
  return `${header}.${forged}.${signature}`
}

/**
 * Creates the issuer, key, JWKS server and tokens of one algorithm.
 *
 * @example
 * ```ts
 * const fixture = await createFixture('ES256', 4000)
 * await fixture.server.close()
 * ```
 */
export async function createFixture(
  alg: BenchAlgorithm,
  distinctTokens: number,
): Promise<AlgorithmFixture> {
  const iss = `https://issuer.bench.test/${alg.toLowerCase()}`
  const issuer = await TestIssuer.create({ alg, issuer: iss, audience: AUDIENCE })
  const server = await startJwksServer({ issuer })
  const key = issuer.signingKey
  const distinct: string[] = []
  for (let i = 0; i < distinctTokens; i++) distinct.push(issuer.mint(validClaims()))
  const now = Math.floor(Date.now() / 1000)
  const repeated = issuer.mint(validClaims())
  return {
    alg,
    issuer,
    iss,
    server,
    kid: key.kid,
    publicKey: key.publicKey,
    publicPem: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicJwk: structuredClone(key.publicJwk),
    distinct,
    repeated,
    bad: {
      tampered: tamper(repeated, { sub: 'someone-else' }),
      expired: issuer.mint({ iat: now - 7200, exp: now - 3600 }),
      wrongIssuer: issuer.mint(validClaims({ iss: 'https://evil.bench.test/' })),
      wrongAudience: issuer.mint(validClaims({ aud: 'https://other-api.bench.test' })),
    },
  }
}
