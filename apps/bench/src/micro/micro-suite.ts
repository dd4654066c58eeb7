import type { AlgorithmFixture, BenchAlgorithm } from '../fixtures.js'
import { median, pool, quantile } from '../stats.js'
import type { Contender, ContenderFactory } from './contender.js'
import { checkContender, type GateVerdict } from './correctness-gate.js'
import { runConcurrent, runSequential, warmUp, type Round } from './measure.js'

export type TokenMode = 'distinct' | 'repeated'

/** How long and how often each contender runs. */
export interface MicroSettings {
  readonly rounds: number
  readonly roundMs: number
  readonly warmupMs: number
  readonly inFlight: readonly number[]
  /** @defaultValue both */
  readonly modes?: readonly TokenMode[]
  /**
   * Rounds for distinct tokens one at a time, issue 23's measure, where keyward and the fastest
   * peers are within a few per cent of each other: 12 rounds of 60 ms leave a median ratio
   * ±0.05 from run to run on a shared 2-vCPU machine, more than the margins being judged.
   * @defaultValue `rounds` and `roundMs`
   */
  readonly sequentialDistinct?: { readonly rounds: number; readonly roundMs: number }
}

export interface GateRow extends GateVerdict {
  readonly alg: BenchAlgorithm
  readonly contender: string
}

export interface MicroRow {
  readonly alg: BenchAlgorithm
  readonly mode: TokenMode
  readonly inFlight: number
  readonly contender: string
  /** Median of the rounds. */
  readonly opsPerSec: number
  readonly p50Us: number
  readonly p99Us: number
  /** `opsPerSec` over the floor's, same case, same run. */
  readonly ratio: number
  /** The same ratio in CPU time: the cross-check that load from other processes cannot bend. */
  readonly cpuRatio: number
}

export interface MicroResult {
  readonly settings: MicroSettings
  readonly distinctTokens: number
  readonly gate: readonly GateRow[]
  readonly rows: readonly MicroRow[]
}

type Log = (line: string) => void

async function build(
  factories: readonly ContenderFactory[],
  fixture: AlgorithmFixture,
  gate: GateRow[],
  log: Log,
): Promise<Contender[]> {
  const admitted: Contender[] = []
  for (const factory of factories) {
    let contender: Contender
    try {
      contender = await factory.create(fixture)
    } catch (error) {
      const detail = `n/a: ${error instanceof Error ? error.message : String(error)}`
      gate.push({ alg: fixture.alg, contender: factory.name, ok: false, detail })
      continue
    }
    const verdict = await checkContender(contender, fixture, factory.signatureOnly === true)
    gate.push({ alg: fixture.alg, contender: factory.name, ...verdict })
    if (verdict.ok) admitted.push(contender)
    else {
      log(`  gate: ${fixture.alg} ${factory.name}: ${verdict.detail} — not measured`)
      contender.close?.()
    }
  }
  return admitted
}

function summarise(
  alg: BenchAlgorithm,
  mode: TokenMode,
  inFlight: number,
  contenders: readonly Contender[],
  rounds: ReadonlyMap<Contender, Round[]>,
): MicroRow[] {
  const floor = contenders[0]
  const floorRounds = (floor && rounds.get(floor)) ?? []
  return contenders.map((contender) => {
    const own = rounds.get(contender) ?? []
    const latencies = pool(own.map((r) => r.latenciesMs))
    return {
      alg,
      mode,
      inFlight,
      contender: contender.name,
      opsPerSec: median(own.map((r) => r.opsPerSec)),
      p50Us: quantile(latencies, 0.5) * 1000,
      p99Us: quantile(latencies, 0.99) * 1000,
      // Per-round ratios against the floor of the same round, then their median: load from
      // other processes drifts over seconds, and this cancels most of it.
      ratio: median(own.map((r, i) => r.opsPerSec / (floorRounds[i]?.opsPerSec ?? Number.NaN))),
      cpuRatio: median(
        own.map((r, i) => r.opsPerCpuSec / (floorRounds[i]?.opsPerCpuSec ?? Number.NaN)),
      ),
    }
  })
}

/**
 * The order contenders run in during round `round`: a different shuffle each round, seeded by
 * the round so runs repeat it. With a fixed cyclic order (rotated each round) every contender
 * always ran right after the same one, so any carry-over from its predecessor (the floor, for
 * keyward's default contender) was counted against it every round; a 40-round run of 3,000
 * RS256 tokens with 16 in flight measured the contender after the floor 0.02–0.055 lower than
 * an identical one.
 */
export function runningOrder<T>(items: readonly T[], round: number): T[] {
  const order = [...items]
  let seed = (round + 1) * 0x9e3779b1
  for (let i = order.length - 1; i > 0; i--) {
    // A 32-bit xorshift step: enough to vary the order, and the same in every run.
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    const j = (seed >>> 0) % (i + 1)
    const swap = order[i] as T
    order[i] = order[j] as T
    order[j] = swap
  }
  return order
}

/**
 * The in-process suite. For each algorithm: every contender passes the correctness gate, then
 * for each token mode it is warmed up and measured in interleaved rounds (each round visits
 * every contender, in an order shuffled per round), sequentially and with several calls in flight.
 * The first factory is the floor every ratio refers to.
 */
export async function runMicro(
  factories: readonly ContenderFactory[],
  fixtures: readonly AlgorithmFixture[],
  settings: MicroSettings,
  log: Log,
): Promise<MicroResult> {
  const gate: GateRow[] = []
  const rows: MicroRow[] = []
  for (const fixture of fixtures) {
    const contenders = await build(factories, fixture, gate, log)
    for (const mode of settings.modes ?? (['distinct', 'repeated'] as const)) {
      const tokens = mode === 'distinct' ? fixture.distinct : [fixture.repeated]
      const rate = new Map<Contender, number>()
      // Each contender walks the token list forward and never restarts, so a cache smaller
      // than the list never sees a token it still holds.
      const cursor = new Map<Contender, number>()
      for (const contender of contenders) {
        const { opsPerSec, ops } = await warmUp(contender, tokens, settings.warmupMs)
        rate.set(contender, opsPerSec)
        cursor.set(contender, ops)
      }
      for (const inFlight of settings.inFlight) {
        const { rounds: roundCount, roundMs } =
          mode === 'distinct' && inFlight === 1
            ? (settings.sequentialDistinct ?? settings)
            : settings
        const rounds = new Map<Contender, Round[]>(contenders.map((c) => [c, []]))
        for (let round = 0; round < roundCount; round++) {
          for (const contender of runningOrder(contenders, round)) {
            const ops = Math.max(64, Math.round(((rate.get(contender) ?? 0) * roundMs) / 1000))
            const offset = cursor.get(contender) ?? 0
            const result =
              inFlight === 1
                ? await runSequential(contender, tokens, ops, offset)
                : await runConcurrent(contender, tokens, ops, inFlight, offset)
            cursor.set(contender, (offset + ops) % tokens.length)
            rounds.get(contender)?.push(result)
          }
        }
        const caseRows = summarise(fixture.alg, mode, inFlight, contenders, rounds)
        rows.push(...caseRows)
        log(
          `  ${fixture.alg} ${mode} ×${inFlight}: ` +
            caseRows
              .map(
                (row) => `${row.contender} ${Math.round(row.opsPerSec)}/s ${row.ratio.toFixed(2)}×`,
              )
              .join(' | '),
        )
      }
    }
    for (const contender of contenders) contender.close?.()
  }
  return {
    settings,
    distinctTokens: fixtures[0]?.distinct.length ?? 0,
    gate,
    rows,
  }
}
