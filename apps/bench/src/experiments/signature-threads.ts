import { BENCH_ALGORITHMS, createFixture, type AlgorithmFixture } from '../fixtures.js'
import type { ContenderFactory } from '../micro/contender.js'
import { floor, joseLocal, keyward } from '../micro/contenders.js'
import { runMicro } from '../micro/micro-suite.js'

/**
 * Where should keyward check signatures? Compares core's `signatureThreads` settings (inline,
 * thread pool, auto) with the floor and jose, sequentially and with 16 in flight, on distinct
 * tokens with the cache off. Usage: signature-threads.ts [rounds] [roundMs] [algorithms]
 */
const rounds = Number(process.argv[2] ?? '10')
const roundMs = Number(process.argv[3] ?? '60')
const algorithms = (process.argv[4]?.split(',') ?? BENCH_ALGORITHMS) as typeof BENCH_ALGORITHMS

const factories: ContenderFactory[] = [
  floor,
  joseLocal,
  keyward('keyward inline', 0, 'inline'),
  keyward('keyward auto', 0, 'auto'),
  keyward('keyward threadPool', 0, 'threadPool'),
]
const fixtures: AlgorithmFixture[] = []
for (const alg of algorithms) fixtures.push(await createFixture(alg, 4000))
const result = await runMicro(
  factories,
  fixtures,
  { rounds, roundMs, warmupMs: 200, inFlight: [1, 16], modes: ['distinct'] },
  (line) => process.stderr.write(`${line.slice(0, 160)}\n`),
)
for (const gate of result.gate.filter((g) => !g.ok)) {
  process.stdout.write(`gate: ${gate.alg} ${gate.contender}: ${gate.detail}\n`)
}
const columns = algorithms.flatMap((a) => [1, 16].map((n) => `${a} ×${n}`))
process.stdout.write(`\n| Contender | ${columns.join(' | ')} |\n`)
process.stdout.write(`| --- |${columns.map(() => ' --- |').join('')}\n`)
for (const factory of factories) {
  const cells = algorithms.flatMap((alg) =>
    [1, 16].map((n) => {
      const row = result.rows.find(
        (r) => r.alg === alg && r.inFlight === n && r.contender === factory.name,
      )
      return row === undefined
        ? '–'
        : `${Math.round(row.opsPerSec)}/s ${row.ratio.toFixed(2)}× (cpu ${row.cpuRatio.toFixed(2)}×)`
    }),
  )
  process.stdout.write(`| ${factory.name} | ${cells.join(' | ')} |\n`)
}
for (const fixture of fixtures) await fixture.server.close()
