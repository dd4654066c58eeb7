import { generateKeyPairSync } from 'node:crypto'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { createVerifier, type Verifier } from '../../../src/index.js'

/**
 * What the fuzzers attack: a verifier with its keys fetched from a real loopback JWKS server
 * before the first case (so no case does network I/O), the verified-token cache off (it would
 * answer repeated tokens without parsing them), and a set of valid tokens of every key type to
 * mutate. Valid tokens live a day, so a long run does not see them expire.
 */
export interface FuzzWorld {
  readonly issuer: TestIssuer
  readonly jwks: JwksServer
  readonly verifier: Verifier
  /** Byte-for-byte valid tokens: the only strings the verifier may accept. */
  readonly valid: readonly string[]
  readonly validSet: ReadonlySet<string>
  /** Public JWKs of every algorithm family, for the JWKS parser fuzzer. */
  readonly publicJwks: readonly Record<string, unknown>[]
  readonly kids: readonly string[]
  /** A 1024-bit RSA modulus (base64url): too weak to be accepted. */
  readonly weakModulus: string
  close(): Promise<void>
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const issuer = await TestIssuer.create({ alg: 'RS256' })
  for (const alg of ['PS256', 'ES256', 'ES384', 'EdDSA'] as const) await issuer.addKey({ alg })
  const jwks = await startJwksServer({ issuer })
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: jwks.url,
    verifiedTokenCacheSize: 0,
    // One unknown-kid refresh per hour: mutated kids must not turn into fetches.
    jwks: { cooldownMs: 3_600_000, cacheMaxAgeMs: 3_600_000, cacheFloorMs: 3_600_000 },
  })
  await verifier.warmup()
  // Spend the one unknown-kid refresh the cooldown allows now, before the first case.
  await verifier.verify(issuer.mint({}, { kid: 'warm-unknown-kid' })).catch(() => undefined)
  const now = Math.floor(Date.now() / 1000)
  const valid: string[] = []
  for (const key of issuer.published) {
    valid.push(issuer.mint({ exp: now + 86_400, scope: 'read:things write:things' }, { key }))
    valid.push(issuer.mint({ exp: now + 86_400, sub: 'user-1' }, { key, kid: null }))
    valid.push(
      issuer.mint(
        { exp: now + 86_400, aud: ['https://other.test', issuer.audience] },
        { key, typ: 'JWT' },
      ),
    )
  }
  for (const token of valid) await verifier.verify(token)
  return {
    issuer,
    jwks,
    verifier,
    valid,
    validSet: new Set(valid),
    publicJwks: issuer.jwks().keys,
    kids: issuer.published.map((key) => key.kid),
    weakModulus: String(
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }).n,
    ),
    async close() {
      verifier.close()
      await jwks.close()
    },
  }
}
