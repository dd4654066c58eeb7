import { createVerifier } from '@keyward/core'
import { AUDIENCE, createFixture, type BenchAlgorithm } from '../fixtures.js'

/**
 * Profiling workload: keyward `verify()` on distinct tokens, sequentially, for a few seconds.
 * Run it under `node --cpu-prof` (see `pnpm profile:verify`), then `pnpm profile:report`.
 *
 * Usage: profile-verify.ts [RS256|ES256|EdDSA] [seconds] [cacheSize]
 */
const alg = (process.argv[2] ?? 'RS256') as BenchAlgorithm
const seconds = Number(process.argv[3] ?? '8')
const cacheSize = Number(process.argv[4] ?? '1000')
const fixture = await createFixture(alg, 4000)
const verifier = createVerifier({
  issuer: fixture.iss,
  audience: AUDIENCE,
  jwksUri: fixture.server.url,
  verifiedTokenCacheSize: cacheSize,
})
await verifier.warmup()
const tokens = fixture.distinct
const start = performance.now()
let ops = 0
while (performance.now() - start < seconds * 1000) {
  for (let i = 0; i < 1000; i++) await verifier.verify(tokens[ops++ % tokens.length] ?? '')
}
process.stderr.write(
  `${alg}: ${ops} verifications, ${Math.round((ops * 1000) / (performance.now() - start))}/s\n`,
)
verifier.close()
await fixture.server.close()
