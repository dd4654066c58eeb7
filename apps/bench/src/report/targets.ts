import type { BenchAlgorithm } from '../fixtures.js'
import type { HttpTokenMode } from '../http/http-suite.js'
import type { MicroRow, TokenMode } from '../micro/micro-suite.js'
import type { BenchResults } from './results.js'

/** One target of issue 7 and what this run measured for it. */
export interface TargetCheck {
  readonly target: string
  readonly measured: string
  /** `undefined` when the suite did not run. */
  readonly met: boolean | undefined
}

const KEYWARD = 'keyward verify()'
const KEYWARD_UNCACHED = 'keyward verify() (cache off)'

const x = (value: number): string => `${value.toFixed(2)}×`

function microRow(
  rows: readonly MicroRow[],
  alg: BenchAlgorithm,
  mode: TokenMode,
  inFlight: number,
  contender: string,
): MicroRow | undefined {
  return rows.find(
    (r) => r.alg === alg && r.mode === mode && r.inFlight === inFlight && r.contender === contender,
  )
}

function microTargets(results: BenchResults): TargetCheck[] {
  const rows = results.micro?.rows
  const checks: TargetCheck[] = []
  const floors: [BenchAlgorithm, number][] = [
    ['RS256', 0.85],
    ['ES256', 0.9],
    ['EdDSA', 0.9],
  ]
  for (const [alg, minimum] of floors) {
    const cached = rows && microRow(rows, alg, 'distinct', 1, KEYWARD)
    const uncached = rows && microRow(rows, alg, 'distinct', 1, KEYWARD_UNCACHED)
    checks.push({
      target: `${alg} distinct tokens, sequential: keyward ≥ ${minimum.toFixed(2)}× the floor`,
      measured:
        cached === undefined
          ? 'not run'
          : `${x(cached.ratio)}, CPU ${x(cached.cpuRatio)} (cache off: ` +
            `${uncached === undefined ? '?' : `${x(uncached.ratio)}, CPU ${x(uncached.cpuRatio)}`})`,
      met: cached === undefined ? undefined : cached.ratio >= minimum,
    })
  }
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    const ours = rows && microRow(rows, alg, 'distinct', 16, KEYWARD)
    const jose = rows && microRow(rows, alg, 'distinct', 16, 'jose jwtVerify (local key)')
    checks.push({
      target: `${alg} distinct tokens, 16 in flight: keyward not worse than jose`,
      measured:
        ours === undefined || jose === undefined
          ? 'not run'
          : `${Math.round(ours.opsPerSec)}/s vs ${Math.round(jose.opsPerSec)}/s ` +
            `(${x(ours.opsPerSec / jose.opsPerSec)})`,
      met: ours === undefined || jose === undefined ? undefined : ours.opsPerSec >= jose.opsPerSec,
    })
  }
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    const sequential = rows && microRow(rows, alg, 'repeated', 1, KEYWARD)
    const concurrent = rows && microRow(rows, alg, 'repeated', 16, KEYWARD)
    checks.push({
      target: `${alg} repeated token: keyward ≥ 20× the floor`,
      measured:
        sequential === undefined
          ? 'not run'
          : `${x(sequential.ratio)} sequential, ${concurrent === undefined ? '?' : x(concurrent.ratio)} ×16`,
      met:
        sequential === undefined
          ? undefined
          : sequential.ratio >= 20 && (concurrent?.ratio ?? 20) >= 20,
    })
  }
  return checks
}

function httpTargets(results: BenchResults): TargetCheck[] {
  const rows = results.http?.rows
  const checks: TargetCheck[] = []
  const minimums: [string, number][] = [
    ['Express 5', 0.9],
    ['NestJS 11', 0.85],
    ['Koa 3', 0.5],
  ]
  for (const [framework, minimum] of minimums) {
    const row = rows?.find(
      (r) => r.framework === framework && r.app === 'keyward' && r.mode === 'repeated',
    )
    checks.push({
      target: `HTTP ${framework}, repeated token: keyward ≥ ${minimum.toFixed(2)}× the baseline`,
      measured: row === undefined ? 'not run' : x(row.ratio),
      met: row === undefined ? undefined : row.ratio >= minimum,
    })
  }
  for (const [framework] of minimums) {
    const mode: HttpTokenMode = 'distinct'
    const ours = rows?.find(
      (r) => r.framework === framework && r.app === 'keyward' && r.mode === mode,
    )
    const peers = rows?.filter(
      (r) => r.framework === framework && !r.baseline && r.app !== 'keyward' && r.mode === mode,
    )
    const best = peers?.sort((a, b) => b.ratio - a.ratio)[0]
    checks.push({
      target: `HTTP ${framework}, distinct tokens: keyward ahead of every peer`,
      measured:
        ours === undefined || best === undefined
          ? 'not run'
          : `${x(ours.ratio)} vs best peer ${best.app} ${x(best.ratio)}`,
      met: ours === undefined || best === undefined ? undefined : ours.ratio > best.ratio,
    })
  }
  return checks
}

function jwksTargets(results: BenchResults): TargetCheck[] {
  const rows = results.jwks?.rows.filter((r) => r.peer === 'keyward')
  const row = (scenario: string) => rows?.find((r) => r.scenario === scenario)
  const herd = row('herd')
  const rotation = row('rotation')
  const storm = row('storm')
  return [
    {
      target: 'JWKS cold herd of 200: 1 fetch',
      measured:
        herd === undefined ? 'not run' : `${herd.fetches} fetch(es), ${herd.accepted} accepted`,
      met: herd === undefined ? undefined : herd.fetches === 1 && herd.accepted === herd.requests,
    },
    {
      target: 'JWKS rotation right after a fetch: 1 fetch, 200 accepted',
      measured:
        rotation === undefined
          ? 'not run'
          : `${rotation.fetches} fetch(es), ${rotation.accepted} accepted`,
      met:
        rotation === undefined
          ? undefined
          : rotation.fetches === 1 && rotation.accepted === rotation.requests,
    },
    {
      target: 'JWKS storm of 1000 random kids: ≤ 2 fetches',
      measured: storm === undefined ? 'not run' : `${storm.fetches} fetch(es)`,
      met: storm === undefined ? undefined : storm.fetches <= 2,
    },
  ]
}

function memoryTarget(results: BenchResults): TargetCheck {
  const memory = results.memory
  const samples = memory?.samples ?? []
  const early = samples[1]
  const last = samples[samples.length - 1]
  if (memory === undefined || early === undefined || last === undefined) {
    return { target: 'Memory: heap bounded by the cache size', measured: 'not run', met: undefined }
  }
  const growth = last.heapUsedMb - early.heapUsedMb
  return {
    target: `Memory: ${memory.tokens.toLocaleString('en-US')} distinct tokens, heap bounded by the cache (${memory.cacheSize} entries)`,
    measured:
      `heap ${early.heapUsedMb} MB after ${early.tokens.toLocaleString('en-US')} → ` +
      `${last.heapUsedMb} MB after ${last.tokens.toLocaleString('en-US')}; peak RSS ${memory.peakRssMb} MB`,
    // A leak of one small object per token would add tens of MB over the run.
    met: growth < 5,
  }
}

/**
 * Checks this run against every target of issue 7.
 *
 * @example
 * ```ts
 * evaluateTargets(results).filter((check) => check.met === false)
 * ```
 */
export function evaluateTargets(results: BenchResults): TargetCheck[] {
  return [
    ...microTargets(results),
    ...httpTargets(results),
    ...jwksTargets(results),
    memoryTarget(results),
  ]
}
