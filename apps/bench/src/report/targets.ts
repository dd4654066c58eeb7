import { BENCH_ALGORITHMS, type BenchAlgorithm } from '../fixtures.js'
import type { HttpRow, HttpTokenMode } from '../http/http-suite.js'
import { DPOP_BOUND } from '../micro/dpop-suite.js'
import type { MicroRow, TokenMode } from '../micro/micro-suite.js'
import type { BenchResults } from './results.js'

/** One target of an issue and what this run measured for it. */
export interface TargetCheck {
  /** The issue that set the target. */
  readonly issue: number
  readonly target: string
  readonly measured: string
  /** `undefined` when the suite did not run; `null` for a figure reported without a threshold. */
  readonly met: boolean | undefined | null
}

const KEYWARD = 'keyward verify()'
const KEYWARD_UNCACHED = 'keyward verify() (cache off)'
/** The sequential peers issue 23 asks keyward to lead. */
const FASTEST_PEERS = ['fast-jwt', 'aws-jwt-verify']
/** Every HTTP framework of the suite. */
const FRAMEWORKS = ['Express 5', 'Koa 3', 'NestJS 11', 'Fastify 5'] as const

const x = (value: number): string => `${value.toFixed(2)}×`
const pct = (value: number): string =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(0)} %`
const us = (value: number): string => `${value.toFixed(0)} µs`

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

/** Issue 23: keyward with default settings ahead of fast-jwt and aws-jwt-verify. */
function sequentialTargets(results: BenchResults): TargetCheck[] {
  const rows = results.micro?.rows
  return BENCH_ALGORITHMS.map((alg): TargetCheck => {
    const target = `${alg} distinct tokens, sequential: keyward (default settings) ahead of ${FASTEST_PEERS.join(' and ')}`
    const ours = rows && microRow(rows, alg, 'distinct', 1, KEYWARD)
    const uncached = rows && microRow(rows, alg, 'distinct', 1, KEYWARD_UNCACHED)
    const peers = FASTEST_PEERS.map((name) => rows && microRow(rows, alg, 'distinct', 1, name))
    const best = peers
      .filter((row): row is MicroRow => row !== undefined)
      .sort((a, b) => b.ratio - a.ratio)[0]
    if (ours === undefined || best === undefined)
      return { issue: 23, target, measured: 'not run', met: undefined }
    const others = peers
      .filter((row): row is MicroRow => row !== undefined)
      .map((row) => `${row.contender} ${x(row.ratio)}`)
      .join(', ')
    return {
      issue: 23,
      target,
      measured:
        `× floor: keyward ${x(ours.ratio)} (CPU ${x(ours.cpuRatio)}; cache off ` +
        `${uncached === undefined ? '?' : x(uncached.ratio)}), ${others}; margin over ` +
        `${best.contender} ${(ours.ratio - best.ratio >= 0 ? '+' : '−') + Math.abs(ours.ratio - best.ratio).toFixed(2)} ` +
        `(${pct(ours.ratio / best.ratio - 1)})`,
      met: ours.ratio > best.ratio,
    }
  })
}

/** Issue 7's targets that still hold: concurrency against jose, the repeated token. */
function microTargets(results: BenchResults): TargetCheck[] {
  const rows = results.micro?.rows
  const checks: TargetCheck[] = []
  for (const alg of BENCH_ALGORITHMS) {
    const ours = rows && microRow(rows, alg, 'distinct', 16, KEYWARD)
    const jose = rows && microRow(rows, alg, 'distinct', 16, 'jose jwtVerify (local key)')
    checks.push({
      issue: 7,
      target: `${alg} distinct tokens, 16 in flight: keyward not worse than jose`,
      measured:
        ours === undefined || jose === undefined
          ? 'not run'
          : `${Math.round(ours.opsPerSec)}/s vs ${Math.round(jose.opsPerSec)}/s ` +
            `(${x(ours.opsPerSec / jose.opsPerSec)})`,
      met: ours === undefined || jose === undefined ? undefined : ours.opsPerSec >= jose.opsPerSec,
    })
  }
  for (const alg of BENCH_ALGORITHMS) {
    const sequential = rows && microRow(rows, alg, 'repeated', 1, KEYWARD)
    const concurrent = rows && microRow(rows, alg, 'repeated', 16, KEYWARD)
    checks.push({
      issue: 7,
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

function httpRow(
  rows: readonly HttpRow[] | undefined,
  framework: string,
  app: string,
  mode: HttpTokenMode,
): HttpRow | undefined {
  return rows?.find((r) => r.framework === framework && r.app === app && r.mode === mode)
}

/**
 * Issue 23 on HTTP: the server's CPU time per request against the framework's baseline (a
 * repeated token costs at most +10 % on Express, +15 % on Nest), and with distinct tokens keyward
 * ahead of every peer on every framework, in CPU per request and in throughput. Issue 7's Koa
 * floor stays.
 */
function httpTargets(results: BenchResults): TargetCheck[] {
  const rows = results.http?.rows
  const checks: TargetCheck[] = []
  const overheads: [string, number][] = [
    ['Express 5', 0.1],
    ['NestJS 11', 0.15],
  ]
  for (const [framework, maximum] of overheads) {
    const row = httpRow(rows, framework, 'keyward', 'repeated')
    const base = rows?.find((r) => r.framework === framework && r.baseline && r.mode === 'repeated')
    checks.push({
      issue: 23,
      target: `HTTP ${framework}, repeated token: keyward's CPU per request ≤ ${pct(maximum)} over the no-auth baseline`,
      measured:
        row === undefined
          ? 'not run'
          : `${pct(row.cpuRatio - 1)} (${us(row.cpuUsPerRequest)} vs ${us(base?.cpuUsPerRequest ?? Number.NaN)} per request); ` +
            `throughput ${x(row.ratio)}`,
      met: row === undefined ? undefined : row.cpuRatio <= 1 + maximum,
    })
  }
  const koa = httpRow(rows, 'Koa 3', 'keyward', 'repeated')
  checks.push({
    issue: 7,
    target: 'HTTP Koa 3, repeated token: keyward ≥ 0.50× the baseline',
    measured:
      koa === undefined ? 'not run' : `${x(koa.ratio)} (CPU per request ${pct(koa.cpuRatio - 1)})`,
    met: koa === undefined ? undefined : koa.ratio >= 0.5,
  })
  for (const framework of FRAMEWORKS) {
    const ours = httpRow(rows, framework, 'keyward', 'distinct')
    const peers =
      rows?.filter(
        (r) =>
          r.framework === framework &&
          r.mode === 'distinct' &&
          !r.baseline &&
          !r.app.startsWith('keyward'),
      ) ?? []
    const leanest = [...peers].sort((a, b) => a.cpuRatio - b.cpuRatio)[0]
    const fastest = [...peers].sort((a, b) => b.ratio - a.ratio)[0]
    const missing = ours === undefined || leanest === undefined || fastest === undefined
    checks.push({
      issue: 23,
      target: `HTTP ${framework}, distinct tokens: keyward's CPU per request below every peer's`,
      measured: missing
        ? 'not run'
        : `${us(ours.cpuUsPerRequest)} (${x(ours.cpuRatio)} baseline) vs leanest peer ${leanest.app} ` +
          `${us(leanest.cpuUsPerRequest)} (${x(leanest.cpuRatio)}): ${pct(ours.cpuRatio / leanest.cpuRatio - 1)}`,
      met: missing ? undefined : ours.cpuRatio < leanest.cpuRatio,
    })
    checks.push({
      issue: 23,
      target: `HTTP ${framework}, distinct tokens: keyward's throughput above every peer's`,
      measured: missing
        ? 'not run'
        : `${x(ours.ratio)} baseline (${Math.round(ours.reqPerSec)}/s) vs fastest peer ${fastest.app} ` +
          `${x(fastest.ratio)} (${Math.round(fastest.reqPerSec)}/s): ${pct(ours.ratio / fastest.ratio - 1)}`,
      met: missing ? undefined : ours.ratio > fastest.ratio,
    })
  }
  return checks
}

/** Issue 17: what a DPoP-bound token with a fresh proof costs against Bearer; no threshold. */
function dpopTargets(results: BenchResults): TargetCheck[] {
  const rows = results.dpop?.rows
  const find = (mode: TokenMode, inFlight: number) =>
    rows?.find((r) => r.contender === DPOP_BOUND && r.mode === mode && r.inFlight === inFlight)
  const distinct = find('distinct', 1)
  const repeated = find('repeated', 1)
  const checks: TargetCheck[] = [
    {
      issue: 17,
      target: `DPoP against Bearer, in-process: ${results.dpop?.tokenAlg ?? 'RS256'} token, fresh ${results.dpop?.proofAlg ?? 'ES256'} proof per request, sequential`,
      measured:
        distinct === undefined || repeated === undefined
          ? 'not run'
          : `distinct tokens ${x(distinct.ratio)} Bearer's rate (${Math.round(distinct.opsPerSec)}/s); ` +
            `one repeated token ${x(repeated.ratio)} (${Math.round(repeated.opsPerSec)}/s: a proof signature per request against a cache hit)`,
      met: distinct === undefined ? undefined : null,
    },
  ]
  const http = results.http?.rows
  const dpopApp = http?.find(
    (r) => r.framework === 'Express 5' && r.app.startsWith('keyward (DPoP'),
  )
  if (http !== undefined && dpopApp !== undefined) {
    const parts = (['repeated', 'distinct'] as const).map((mode) => {
      const ours = http.find((r) => r.app === dpopApp.app && r.mode === mode)
      const bearer = httpRow(http, 'Express 5', 'keyward', mode)
      return ours === undefined || bearer === undefined
        ? `${mode}: ?`
        : `${mode === 'repeated' ? 'one repeated token' : 'distinct tokens'}: CPU per request ` +
            `${us(ours.cpuUsPerRequest)} vs ${us(bearer.cpuUsPerRequest)} (${pct(ours.cpuUsPerRequest / bearer.cpuUsPerRequest - 1)}), ` +
            `throughput ${x(ours.reqPerSec / bearer.reqPerSec)}`
    })
    checks.push({
      issue: 17,
      target:
        'DPoP against Bearer, HTTP Express 5 (keyward with a fresh proof per request against keyward Bearer)',
      measured: parts.join('; '),
      met: null,
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
      issue: 7,
      target: 'JWKS cold herd of 200: 1 fetch',
      measured:
        herd === undefined ? 'not run' : `${herd.fetches} fetch(es), ${herd.accepted} accepted`,
      met: herd === undefined ? undefined : herd.fetches === 1 && herd.accepted === herd.requests,
    },
    {
      issue: 7,
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
      issue: 7,
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
    return {
      issue: 7,
      target: 'Memory: heap bounded by the cache size',
      measured: 'not run',
      met: undefined,
    }
  }
  const growth = last.heapUsedMb - early.heapUsedMb
  return {
    issue: 7,
    target: `Memory: ${memory.tokens.toLocaleString('en-US')} distinct tokens, heap bounded by the cache (${memory.cacheSize} entries)`,
    measured:
      `heap ${early.heapUsedMb} MB after ${early.tokens.toLocaleString('en-US')} → ` +
      `${last.heapUsedMb} MB after ${last.tokens.toLocaleString('en-US')}; peak RSS ${memory.peakRssMb} MB`,
    // A leak of one small object per token would add tens of MB over the run.
    met: growth < 5,
  }
}

/**
 * Checks this run against every target of issues 23 (speed), 17 (DPoP's cost, reported) and
 * the targets of issue 7 that still hold.
 *
 * @example
 * ```ts
 * evaluateTargets(results).filter((check) => check.met === false)
 * ```
 */
export function evaluateTargets(results: BenchResults): TargetCheck[] {
  return [
    ...sequentialTargets(results),
    ...microTargets(results),
    ...httpTargets(results),
    ...dpopTargets(results),
    ...jwksTargets(results),
    memoryTarget(results),
  ]
}
