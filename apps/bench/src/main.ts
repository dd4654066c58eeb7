import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createDpopFixture, type DpopFixture } from './dpop-fixture.js'
import { BENCH_ALGORITHMS, createFixture, type AlgorithmFixture } from './fixtures.js'
import { runHttp } from './http/http-suite.js'
import { JWKS_PEERS } from './jwks/jwks-peers.js'
import { runJwks } from './jwks/jwks-suite.js'
import { describeMachine } from './machine.js'
import { runMemory } from './memory/memory-suite.js'
import { CONTENDERS } from './micro/contenders.js'
import { runDpopMicro } from './micro/dpop-suite.js'
import { runMicro } from './micro/micro-suite.js'
import { parseOptions } from './options.js'
import { renderResults } from './report/markdown.js'
import type { BenchResults } from './report/results.js'
import { evaluateTargets } from './report/targets.js'
import { writeReport } from './report/write-report.js'

const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const benchRoot = fileURLToPath(new URL('../', import.meta.url))
const options = parseOptions(process.argv.slice(2))
const started = performance.now()
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`
const results: BenchResults = {
  machine: describeMachine(),
  quick: options.quick,
  command: ['pnpm bench', ...process.argv.slice(2).filter((arg) => arg !== '--')].join(' '),
  durationS: 0,
}
log(
  `keyward bench${options.quick ? ' (quick)' : ''}: ${[...options.suites].join(', ')}; ` +
    `load average ${results.machine.loadStart.toFixed(2)} on ${results.machine.cores} cores`,
)

const distinctTokens = options.quick ? 2500 : 4000
const fixtures = new Map<string, AlgorithmFixture>()
const fixture = async (alg: (typeof BENCH_ALGORITHMS)[number]): Promise<AlgorithmFixture> => {
  const existing = fixtures.get(alg)
  if (existing !== undefined) return existing
  const created = await createFixture(alg, distinctTokens)
  fixtures.set(alg, created)
  return created
}
let bound: DpopFixture | undefined
// RS256 tokens bound to a DPoP key, for the DPoP comparison and the HTTP suite's DPoP app.
const dpopFixture = async (): Promise<DpopFixture> => {
  bound ??= await createDpopFixture(await fixture('RS256'), distinctTokens)
  return bound
}

try {
  if (options.suites.has('micro')) {
    const all: AlgorithmFixture[] = []
    for (const alg of BENCH_ALGORITHMS) all.push(await fixture(alg))
    log(`[${elapsed()}] micro (tokens minted)`)
    results.micro = await runMicro(
      CONTENDERS,
      all,
      options.quick
        ? { rounds: 3, roundMs: 40, warmupMs: 60, inFlight: [1, 16] }
        : {
            rounds: 12,
            roundMs: 60,
            warmupMs: 200,
            inFlight: [1, 16],
            sequentialDistinct: { rounds: 24, roundMs: 150 },
          },
      log,
    )
  }
  if (options.suites.has('dpop')) {
    const rs256 = await fixture('RS256')
    const dpop = await dpopFixture()
    log(`[${elapsed()}] dpop (bound tokens minted)`)
    results.dpop = await runDpopMicro(
      rs256,
      dpop,
      options.quick
        ? { rounds: 3, roundMs: 40, warmupMs: 60, warmupProofs: 200, inFlight: [1, 16] }
        : { rounds: 12, roundMs: 60, warmupMs: 200, warmupProofs: 1000, inFlight: [1, 16] },
      log,
    )
  }
  if (options.suites.has('jwks')) {
    log(`[${elapsed()}] jwks`)
    results.jwks = await runJwks(JWKS_PEERS, options.quick ? 3000 : 10_000, log)
  }
  if (options.suites.has('http')) {
    const rs256 = await fixture('RS256')
    const dpop = await dpopFixture()
    log(`[${elapsed()}] http`)
    results.http = await runHttp(
      rs256,
      options.quick
        ? { rounds: 1, durationS: 1, warmupS: 0.5, connections: 16 }
        : { rounds: 4, durationS: 1.5, warmupS: 1, connections: 16 },
      log,
      { dpop },
    )
  }
  if (options.suites.has('memory')) {
    log(`[${elapsed()}] memory (${options.memoryTokens.toLocaleString('en-US')} tokens)`)
    results.memory = await runMemory(options.memoryTokens)
  }
} finally {
  for (const created of fixtures.values()) await created.server.close()
}

results.durationS = (performance.now() - started) / 1000
results.machine.loadEnd = loadavg()[0] ?? 0
log(`[${elapsed()}] done`)
// Raw numbers for later reading; node_modules/.cache is ignored by git, Prettier and ESLint.
const resultsDir = `${benchRoot}node_modules/.cache/keyward-bench`
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  `${resultsDir}/latest${options.quick ? '-quick' : ''}.json`,
  JSON.stringify(results, null, 2),
)
const markdown = renderResults(results)
if (options.out === null) {
  process.stdout.write(`${markdown}\n`)
} else {
  const path = options.out.startsWith('/') ? options.out : `${repoRoot}${options.out}`
  await writeReport(path, markdown)
  log(`wrote ${path}`)
}
const missed = evaluateTargets(results).filter((check) => check.met === false)
for (const check of missed) log(`missed: ${check.target}: ${check.measured}`)
// Libraries under test may leave timers behind (rate limiters, refreshes): the run is over.
process.exit(0)
