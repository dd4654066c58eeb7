import { sign } from 'node:crypto'
import { createVerifier } from '@keyward/core'
import { startJwksServer, TestIssuer } from '@keyward/test-utils'
import { AUDIENCE, validClaims } from '../fixtures.js'

/** One heap sample of the memory run, after a forced garbage collection. */
export interface MemorySample {
  readonly tokens: number
  readonly heapUsedMb: number
  readonly rssMb: number
}

/** What the memory process reports to the parent. */
export interface MemoryReport {
  readonly tokens: number
  readonly cacheSize: number
  readonly samples: readonly MemorySample[]
  readonly peakRssMb: number
  readonly elapsedS: number
}

/**
 * Entry point of the memory run's child process (started with `--expose-gc`): mints and
 * verifies distinct valid tokens, eight at a time, through a default keyward verifier and samples
 * the heap ten times along the way.
 */
const tokens = Number(process.env.KEYWARD_BENCH_TOKENS ?? '100000')
const cacheSize = 1000
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10

const issuer = await TestIssuer.create({
  alg: 'ES256',
  issuer: 'https://issuer.bench.test/memory',
  audience: AUDIENCE,
})
const server = await startJwksServer({ issuer })
const verifier = createVerifier({
  issuer: issuer.issuer,
  audience: AUDIENCE,
  jwksUri: server.url,
  verifiedTokenCacheSize: cacheSize,
})
await verifier.warmup()
// A lean minter: the run is about keyward's memory, so minting should cost as little as it can.
const key = issuer.signingKey
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })).toString(
  'base64url',
)
const claimsPrefix = JSON.stringify(validClaims({ iss: issuer.issuer, aud: AUDIENCE, sub: 'load' }))
  .slice(0, -1)
  .concat(',"jti":"')
const mint = (n: number): string => {
  const input = `${header}.${Buffer.from(`${claimsPrefix}${n}"}`).toString('base64url')}`
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  return `${input}.${signature.toString('base64url')}`
}
const samples: MemorySample[] = []
const sample = (done: number): void => {
  gc()
  const usage = process.memoryUsage()
  samples.push({ tokens: done, heapUsedMb: mb(usage.heapUsed), rssMb: mb(usage.rss) })
}
sample(0)
const step = Math.max(1, Math.floor(tokens / 10))
const start = performance.now()
// Eight at a time: keyward checks overlapping signatures in the thread pool, so the second core
// verifies while this thread mints; the memory question is the same, the run takes less time.
const BATCH = 8
for (let done = 0; done < tokens;) {
  const size = Math.min(BATCH, tokens - done)
  const first = done + 1
  await Promise.all(Array.from({ length: size }, (_, j) => verifier.verify(mint(first + j))))
  const before = done
  done += size
  if (Math.floor(done / step) > Math.floor(before / step)) sample(done)
}
const report: MemoryReport = {
  tokens,
  cacheSize,
  samples,
  // resourceUsage reports kilobytes.
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  elapsedS: (performance.now() - start) / 1000,
}
verifier.close()
await server.close()
process.send?.(report)
