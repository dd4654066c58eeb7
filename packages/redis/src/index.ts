export { redisReplayStore } from './redis-replay-store.js'
export type {
  RedisCommandClient,
  RedisReplayStore,
  RedisReplayStoreEvent,
  RedisReplayStoreOptions,
} from './redis-replay-store.js'
export { RedisReplayStoreError } from './errors.js'
export type { RedisReplayFailure } from './errors.js'
