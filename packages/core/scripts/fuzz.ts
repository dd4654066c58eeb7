/**
 * Long fuzz run over the same properties as `test/fuzz` (which runs a few thousand cases in CI):
 * the whole verifier on random, structured and mutated tokens, the compact JWS decoder, the
 * `Authorization` header parser, JWKS parsing and the claim checks. Keys are fetched from a real
 * loopback JWKS server before the first case, so no case does network I/O; the verified-token
 * cache is off, so every case is parsed.
 *
 * Run: `pnpm --filter @keyward/core fuzz [cases=1000000] [seed]`. Prints, per target and in
 * total, the cases run, tokens accepted when invalid (must be 0), valid inputs rejected (must be
 * 0), non-KeywardError throws (must be 0), other oracle violations (must be 0) and the slowest
 * case. Exits non-zero on any violation.
 */
import fc from 'fast-check'
import {
  claimsTarget,
  decoderTarget,
  headerTarget,
  jwksTarget,
  verifierTarget,
  type FuzzTarget,
  type Violation,
} from '../test/fuzz/support/targets.js'
import { startFuzzWorld } from '../test/fuzz/support/world.js'

interface Tally {
  name: string
  cases: number
  acceptedInvalid: number
  rejectedValid: number
  nonKeywardThrows: number
  oracle: number
  totalMs: number
  maxMs: number
  /** The slowest input, kept to time it again once the run is over. */
  slowest: unknown
  examples: string[]
}

const total = Number(process.argv[2] ?? 1_000_000)
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31))
if (!Number.isSafeInteger(total) || total <= 0)
  throw new TypeError('cases must be a positive integer')
if (!Number.isSafeInteger(seed)) throw new TypeError('seed must be an integer')

const world = await startFuzzWorld()
// Shares of the run: the verifier, the decoder and the header parser see untrusted input on
// every request; JWKS parsing is slower per case (WebCrypto imports) and sees it rarely.
const plan: [FuzzTarget, number][] = [
  [verifierTarget(world), 0.45],
  [decoderTarget(world), 0.15],
  [headerTarget(world), 0.2],
  [claimsTarget(), 0.15],
  [jwksTarget(world), 0.05],
]

function count(tally: Tally, violation: Violation): void {
  if (violation.kind === 'accepted_invalid') tally.acceptedInvalid++
  else if (violation.kind === 'rejected_valid') tally.rejectedValid++
  else if (violation.kind === 'non_keyward_throw') tally.nonKeywardThrows++
  else tally.oracle++
  if (tally.examples.length < 3)
    tally.examples.push(`${violation.kind}: ${violation.detail.slice(0, 300)}`)
}

const tallies: Tally[] = []
const started = performance.now()
const fetchesBefore = world.jwks.jwksRequests
for (const [index, [target, share]] of plan.entries()) {
  const cases =
    index === plan.length - 1
      ? total - tallies.reduce((n, t) => n + t.cases, 0)
      : Math.round(total * share)
  const tally: Tally = {
    name: target.name,
    cases: 0,
    acceptedInvalid: 0,
    rejectedValid: 0,
    nonKeywardThrows: 0,
    oracle: 0,
    totalMs: 0,
    maxMs: 0,
    slowest: undefined,
    examples: [],
  }
  tallies.push(tally)
  const progressEvery = Math.max(1, Math.floor(cases / 10))
  await fc.check(
    fc.asyncProperty(target.arbitrary, async (value) => {
      const t0 = performance.now()
      const violation = await target.check(value)
      const ms = performance.now() - t0
      tally.cases++
      tally.totalMs += ms
      if (ms > tally.maxMs) {
        tally.maxMs = ms
        tally.slowest = value
      }
      if (violation !== undefined) count(tally, violation)
      if (tally.cases % progressEvery === 0) {
        process.stderr.write(`  ${target.name}: ${tally.cases}/${cases}\n`)
      }
      // Never fail: count every violation instead of stopping at the first one.
      return true
    }),
    { numRuns: cases, seed: seed + index },
  )
}
const elapsedS = (performance.now() - started) / 1000
const networkCases = world.jwks.jwksRequests - fetchesBefore
// A shared machine can stall any single case (GC, scheduling). Timing the slowest input again,
// alone, tells a slow input from a slow moment.
const retimed = new Map<Tally, number>()
for (const [index, [target]] of plan.entries()) {
  const tally = tallies[index]
  if (tally === undefined) continue
  let best = Infinity
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    await target.check(tally.slowest)
    best = Math.min(best, performance.now() - t0)
  }
  retimed.set(tally, best)
}
await world.close()

const sum = (pick: (t: Tally) => number): number => tallies.reduce((n, t) => n + pick(t), 0)
const rows = tallies.map((t) => ({
  target: t.name,
  cases: t.cases,
  'accepted when invalid': t.acceptedInvalid,
  'valid rejected': t.rejectedValid,
  'non-KeywardError throws': t.nonKeywardThrows,
  'oracle violations': t.oracle,
  'mean ms': Number((t.totalMs / Math.max(1, t.cases)).toFixed(4)),
  'max ms': Number(t.maxMs.toFixed(2)),
  'slowest input re-timed ms': Number((retimed.get(t) ?? NaN).toFixed(3)),
}))
console.table(rows)
const violations = sum((t) => t.acceptedInvalid + t.rejectedValid + t.nonKeywardThrows + t.oracle)
console.log(`seed: ${seed}`)
console.log(`cases run: ${sum((t) => t.cases)}`)
console.log(`accepted when invalid: ${sum((t) => t.acceptedInvalid)}`)
console.log(`valid inputs rejected: ${sum((t) => t.rejectedValid)}`)
console.log(`non-KeywardError throws: ${sum((t) => t.nonKeywardThrows)}`)
console.log(`other oracle violations: ${sum((t) => t.oracle)}`)
console.log(`max per-case time: ${Math.max(...tallies.map((t) => t.maxMs)).toFixed(2)} ms`)
console.log(
  `slowest inputs timed again alone: at most ${Math.max(...retimed.values()).toFixed(3)} ms`,
)
console.log(`JWKS fetches during the run: ${networkCases}`)
console.log(`elapsed: ${elapsedS.toFixed(1)} s`)
for (const t of tallies) for (const example of t.examples) console.log(`  ${t.name}: ${example}`)
process.exitCode = violations === 0 ? 0 : 1
