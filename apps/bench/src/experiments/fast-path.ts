import { BENCH_ALGORITHMS, type AlgorithmFixture } from '../fixtures.js'
import type { ContenderFactory } from '../micro/contender.js'
import { floor, keywardCached, keywardUncached } from '../micro/contenders.js'
import { runMicroExperiment } from './micro-experiment.js'
import { createReplica, prepareJoseKey, type ReplicaFlags } from './replica-verifier.js'

/**
 * Measures each proposed change to core's verification path on its own, against the floor and
 * today's keyward, in the micro suite's harness (distinct tokens, sequential and 16 in flight).
 * Usage: fast-path.ts [rounds] [roundMs] [algorithms, comma-separated] [in flight, e.g. 1,16]
 * [distinct|repeated]
 */
const rounds = Number(process.argv[2] ?? '10')
const roundMs = Number(process.argv[3] ?? '60')
const algorithms = (process.argv[4]?.split(',') ?? BENCH_ALGORITHMS) as typeof BENCH_ALGORITHMS
const inFlight = (process.argv[5]?.split(',') ?? ['1', '16']).map(Number)
const mode = process.argv[6] === 'repeated' ? 'repeated' : 'distinct'

const proposals: ReplicaFlags = {
  o1Canonical: true,
  headerCache: true,
  noWeakMap: true,
  syncHotPath: true,
  memoArrays: true,
}
const variants: [string, ReplicaFlags, number][] = [
  ['replica of today (cache off)', {}, 0],
  ['+ O(1) canonical base64url', { o1Canonical: true }, 0],
  ['(+ ASCII JSON fast path: rejected)', { o1Canonical: true, asciiJson: true }, 0],
  ['+ header cache', { o1Canonical: true, headerCache: true }, 0],
  ['+ policy without WeakMap', { ...proposals, syncHotPath: false, memoArrays: false }, 0],
  ['+ synchronous hot path', { ...proposals, memoArrays: false }, 0],
  ['+ memoised frozen arrays (all proposals)', proposals, 0],
  ['all proposals, cache 1000', proposals, 1000],
  ['today, cache 1000', {}, 1000],
  ['all + adaptive thread pool', { ...proposals, signature: 'adaptive' }, 0],
  ['all + always thread pool', { ...proposals, signature: 'pool' }, 0],
  ['all + jose compactVerify signature', { ...proposals, signature: 'jose' }, 0],
  ['(all + no freeze)', { ...proposals, noFreeze: true }, 0],
  ['(all + keep Object.prototype)', { ...proposals, keepPrototype: true }, 0],
  ['(all + no promise at all)', { ...proposals, noPromise: true }, 0],
  ['(all + keep prototype + no freeze)', { ...proposals, keepPrototype: true, noFreeze: true }, 0],
]
const factories: ContenderFactory[] = [
  floor,
  keywardUncached,
  keywardCached,
  ...variants.map(([name, flags, cacheSize]): ContenderFactory => ({
    name,
    async create(fixture: AlgorithmFixture) {
      if (flags.signature === 'jose') await prepareJoseKey(fixture)
      return createReplica(fixture, name, flags, cacheSize)
    },
  })),
]
await runMicroExperiment(factories, { algorithms, rounds, roundMs, inFlight: inFlight, mode: mode })
