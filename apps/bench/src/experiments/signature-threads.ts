import { BENCH_ALGORITHMS } from '../fixtures.js'
import type { ContenderFactory } from '../micro/contender.js'
import { floor, joseLocal, keyward } from '../micro/contenders.js'
import { runMicroExperiment } from './micro-experiment.js'

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
await runMicroExperiment(factories, {
  algorithms,
  rounds,
  roundMs,
  inFlight: [1, 16],
  mode: 'distinct',
})
