import { createVerifier } from '@keyward/core'
import {
  PROOF_ALGORITHM,
  PUBLIC_BASE_URL,
  type BenchRequest,
  type DpopFixture,
} from '../dpop-fixture.js'
import { AUDIENCE, type AlgorithmFixture, type BenchAlgorithm } from '../fixtures.js'
import { median, pool, quantile } from '../stats.js'
import type { Contender } from './contender.js'
import type { GateVerdict } from './correctness-gate.js'
import { checkBearerContender, checkDpopContender } from './dpop-gate.js'
import { runConcurrent, runSequential, warmUp, type Round } from './measure.js'
import type { TokenMode } from './micro-suite.js'

export const DPOP_BEARER = 'keyward, Bearer'
export const DPOP_BOUND = 'keyward, DPoP (fresh proof per request)'

export interface DpopMicroSettings {
  readonly rounds: number
  readonly roundMs: number
  readonly warmupMs: number
  /** Proofs made for the DPoP contender's warm-up, which also sizes its rounds. */
  readonly warmupProofs: number
  readonly inFlight: readonly number[]
}

export interface DpopGateRow extends GateVerdict {
  readonly contender: string
}

export interface DpopRow {
  readonly mode: TokenMode
  readonly inFlight: number
  readonly contender: string
  readonly opsPerSec: number
  readonly p50Us: number
  readonly p99Us: number
  /** Median of per-round rates over the Bearer contender's in the same round. */
  readonly ratio: number
  /** The same in CPU time of the process. */
  readonly cpuRatio: number
}

export interface DpopMicroResult {
  readonly settings: DpopMicroSettings
  readonly tokenAlg: BenchAlgorithm
  readonly proofAlg: string
  readonly distinctTokens: number
  readonly gate: readonly DpopGateRow[]
  readonly rows: readonly DpopRow[]
}

/**
 * `verifier.authenticate(request)` on a verifier with default settings and DPoP accepted (mode
 * `'allowed'`, the default in-memory replay store): the same entry point the adapters call,
 * for both sides of the comparison.
 */
async function contender(name: string, fixture: AlgorithmFixture) {
  const verifier = createVerifier({
    issuer: fixture.iss,
    audience: AUDIENCE,
    jwksUri: fixture.server.url,
    dpop: { publicBaseUrl: PUBLIC_BASE_URL },
  })
  await verifier.warmup()
  const it: Contender<BenchRequest> = {
    name,
    sync: false,
    verify: (request) => verifier.authenticate(request),
    close: () => {
      verifier.close()
    },
  }
  return it
}

const bearerRequest = (token: string): BenchRequest => ({
  headers: { authorization: `Bearer ${token}` },
  method: 'GET',
  url: '/',
})

/**
 * DPoP against Bearer (RFC 9449): one token kind (RS256 from the same issuer, the DPoP ones
 * with `cnf.jkt`), one verifier configuration; the DPoP side presents each request with a
 * fresh ES256 proof. Every proof is made before the round that uses it, so the rounds time
 * verification only (the proof checks, the replay-store claim and the proof's signature
 * included). Rounds interleave the two sides and the ratio is DPoP over Bearer per round.
 */
export async function runDpopMicro(
  fixture: AlgorithmFixture,
  dpop: DpopFixture,
  settings: DpopMicroSettings,
  log: (line: string) => void,
): Promise<DpopMicroResult> {
  const bearer = await contender(DPOP_BEARER, fixture)
  const bound = await contender(DPOP_BOUND, fixture)
  const gate: DpopGateRow[] = [
    { contender: DPOP_BEARER, ...(await checkBearerContender(bearer, fixture)) },
    { contender: DPOP_BOUND, ...(await checkDpopContender(bound, dpop)) },
  ]
  const rows: DpopRow[] = []
  const result = (): DpopMicroResult => ({
    settings,
    tokenAlg: fixture.alg,
    proofAlg: PROOF_ALGORITHM,
    distinctTokens: dpop.distinct.length,
    gate,
    rows,
  })
  try {
    for (const row of gate.filter((g) => !g.ok)) {
      log(`  gate: DPoP ${row.contender}: ${row.detail} — not measured`)
    }
    if (gate.some((g) => !g.ok)) return result()
    for (const mode of ['repeated', 'distinct'] as const) {
      const bearerItems =
        mode === 'repeated'
          ? [bearerRequest(fixture.repeated)]
          : fixture.distinct.map(bearerRequest)
      const boundTokens = mode === 'repeated' ? [dpop.repeated] : dpop.distinct
      let boundCursor = 0
      // Proofs for the next `count` requests, each for the next bound token in the list.
      const makeRequests = (count: number): BenchRequest[] => {
        const made: BenchRequest[] = []
        for (let i = 0; i < count; i++) {
          made.push(dpop.request(boundTokens[boundCursor++ % boundTokens.length] ?? ''))
        }
        return made
      }
      const bearerWarm = await warmUp(bearer, bearerItems, settings.warmupMs)
      let bearerCursor = bearerWarm.ops
      const boundWarm = await runSequential(
        bound,
        makeRequests(settings.warmupProofs),
        settings.warmupProofs,
      )
      const perRound = (opsPerSec: number) =>
        Math.max(64, Math.round((opsPerSec * settings.roundMs) / 1000))
      const bearerOps = perRound(bearerWarm.opsPerSec)
      const boundOps = perRound(boundWarm.opsPerSec)
      for (const inFlight of settings.inFlight) {
        // Exactly as many proofs as the rounds use: a proof is never presented twice.
        const boundItems = makeRequests(boundOps * settings.rounds)
        const rounds = new Map<Contender<BenchRequest>, Round[]>([
          [bearer, []],
          [bound, []],
        ])
        for (let round = 0; round < settings.rounds; round++) {
          const order = round % 2 === 0 ? [bearer, bound] : [bound, bearer]
          for (const side of order) {
            const isBearer = side === bearer
            const items = isBearer ? bearerItems : boundItems
            const ops = isBearer ? bearerOps : boundOps
            const offset = isBearer ? bearerCursor : round * boundOps
            const measured =
              inFlight === 1
                ? await runSequential(side, items, ops, offset)
                : await runConcurrent(side, items, ops, inFlight, offset)
            if (isBearer) bearerCursor = (bearerCursor + ops) % items.length
            rounds.get(side)?.push(measured)
          }
        }
        const reference = rounds.get(bearer) ?? []
        for (const side of [bearer, bound]) {
          const own = rounds.get(side) ?? []
          const latencies = pool(own.map((r) => r.latenciesMs))
          rows.push({
            mode,
            inFlight,
            contender: side.name,
            opsPerSec: median(own.map((r) => r.opsPerSec)),
            p50Us: quantile(latencies, 0.5) * 1000,
            p99Us: quantile(latencies, 0.99) * 1000,
            ratio: median(own.map((r, i) => r.opsPerSec / (reference[i]?.opsPerSec ?? Number.NaN))),
            cpuRatio: median(
              own.map((r, i) => r.opsPerCpuSec / (reference[i]?.opsPerCpuSec ?? Number.NaN)),
            ),
          })
        }
        const last = rows.slice(-2)
        log(
          `  DPoP ${mode} ×${inFlight}: ` +
            last
              .map((r) => `${r.contender} ${Math.round(r.opsPerSec)}/s ${r.ratio.toFixed(2)}×`)
              .join(' | '),
        )
      }
    }
    return result()
  } finally {
    bearer.close?.()
    bound.close?.()
  }
}
