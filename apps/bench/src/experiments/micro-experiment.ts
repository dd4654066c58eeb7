import { createFixture, type AlgorithmFixture, type BenchAlgorithm } from '../fixtures.js'
import type { ContenderFactory } from '../micro/contender.js'
import { runMicro, type MicroResult } from '../micro/micro-suite.js'

export interface MicroExperiment {
  readonly algorithms: readonly BenchAlgorithm[]
  readonly rounds: number
  readonly roundMs: number
  readonly inFlight: readonly number[]
  readonly mode: 'distinct' | 'repeated'
}

/**
 * Runs contenders through the micro suite's harness (correctness gate first) and prints a
 * Markdown table: one row per contender, one column per algorithm and number in flight, each
 * cell ops/s, ratio to the floor and the same in CPU time. Progress goes to stderr.
 */
export async function runMicroExperiment(
  factories: readonly ContenderFactory[],
  experiment: MicroExperiment,
): Promise<void> {
  const { algorithms, rounds, roundMs, inFlight, mode } = experiment
  const fixtures: AlgorithmFixture[] = []
  for (const alg of algorithms) fixtures.push(await createFixture(alg, 4000))
  const result = await runMicro(
    factories,
    fixtures,
    { rounds, roundMs, warmupMs: 200, inFlight, modes: [mode] },
    (line) => process.stderr.write(`${line.slice(0, 160)}\n`),
  )
  for (const gate of result.gate.filter((g) => !g.ok)) {
    process.stdout.write(`gate: ${gate.alg} ${gate.contender}: ${gate.detail}\n`)
  }
  process.stdout.write(`\n${table(result, factories, experiment)}`)
  for (const fixture of fixtures) await fixture.server.close()
}

function table(
  result: MicroResult,
  factories: readonly ContenderFactory[],
  { algorithms, inFlight }: MicroExperiment,
): string {
  const columns = algorithms.flatMap((a) => inFlight.map((n) => `${a} ×${String(n)}`))
  const lines = [
    `| Contender | ${columns.join(' | ')} |`,
    `| --- |${columns.map(() => ' --- |').join('')}`,
  ]
  for (const { name } of factories) {
    const cells = algorithms.flatMap((alg) =>
      inFlight.map((n) => {
        const row = result.rows.find(
          (r) => r.alg === alg && r.inFlight === n && r.contender === name,
        )
        return row === undefined
          ? '–'
          : `${String(Math.round(row.opsPerSec))}/s ${row.ratio.toFixed(2)}× (cpu ${row.cpuRatio.toFixed(2)}×)`
      }),
    )
    lines.push(`| ${name} | ${cells.join(' | ')} |`)
  }
  return `${lines.join('\n')}\n`
}
