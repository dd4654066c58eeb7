import {
  awsJwtVerify,
  fastJwtNoCache,
  floor,
  keywardCached,
  keywardUncached,
} from '../micro/contenders.js'
import type { BenchAlgorithm } from '../fixtures.js'
import { runMicroExperiment } from './micro-experiment.js'

/**
 * Issue 23's measure alone: sequential distinct-token throughput of keyward against fast-jwt and
 * aws-jwt-verify, each as a ratio to the floor. About a minute; for iterating on the hot path.
 *
 * Usage: distinct-sequential.ts [rounds] [RS256,ES256,EdDSA]
 */
const rounds = Number(process.argv[2] ?? '5')
const algorithms = (process.argv[3] ?? 'RS256,ES256,EdDSA').split(',') as BenchAlgorithm[]
await runMicroExperiment([floor, keywardCached, keywardUncached, fastJwtNoCache, awsJwtVerify], {
  algorithms,
  rounds,
  roundMs: 400,
  inFlight: [1],
  mode: 'distinct',
})
