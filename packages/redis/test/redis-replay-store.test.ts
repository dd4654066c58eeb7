import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { redisReplayStore, RedisReplayStoreError } from '../src/index.js'
import { connectRedis, type RedisClient } from './redis-server.js'

describe('redisReplayStore on a real Redis', () => {
  let client: RedisClient
  beforeAll(async () => {
    client = await connectRedis(inject('redisUrl'))
  })
  afterAll(() => {
    client.destroy()
  })
  const key = () => `test:${randomUUID()}`

  it('answers true to the first claim of a key and false to the second', async () => {
    const store = redisReplayStore({ client })
    const k = key()
    expect(await store.claim(k, Date.now() + 60_000)).toBe(true)
    expect(await store.claim(k, Date.now() + 60_000)).toBe(false)
  })

  it('gives exactly one of many concurrent claims of one key', async () => {
    const store = redisReplayStore({ client })
    const k = key()
    const answers = await Promise.all(
      Array.from({ length: 25 }, async () => store.claim(k, Date.now() + 60_000)),
    )
    expect(answers.filter((answer) => answer)).toHaveLength(1)
  })

  it('keeps a claim in Redis, under the key prefix, until its expiry', async () => {
    const store = redisReplayStore({ client, keyPrefix: 'api-a:' })
    const k = key()
    await store.claim(k, Date.now() + 60_000)
    const ttl = await client.pTTL(`api-a:${k}`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60_000)
    expect(await client.exists(`keyward:replay:${k}`)).toBe(0)
  })

  it('lets a key be claimed again once its claim has expired', async () => {
    const store = redisReplayStore({ client })
    const k = key()
    expect(await store.claim(k, Date.now() + 20)).toBe(true)
    // Redis drops the key when its PX expires.
    while ((await client.exists(`keyward:replay:${k}`)) === 1) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(await store.claim(k, Date.now() + 60_000)).toBe(true)
  })

  it('claims with at least 1 ms when the expiry is already past', async () => {
    const store = redisReplayStore({ client })
    // `PX 0` would be a Redis error (503); the claim must still be answered.
    expect(await store.claim(key(), Date.now() - 1000)).toBe(true)
  })

  it('rejects with redis_error when Redis refuses the command', async () => {
    const store = redisReplayStore({
      client: { sendCommand: (args) => client.sendCommand(['NO-SUCH-COMMAND', ...args]) },
    })
    const failure = await store.claim(key(), Date.now() + 1000).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RedisReplayStoreError)
    expect(failure).toMatchObject({ code: 'redis_error', retryAfterMs: 1000 })
  })
})

describe('redisReplayStore options', () => {
  const client = { sendCommand: () => Promise.resolve('OK') }

  it('refuses an unknown or misspelt option', () => {
    expect(() => redisReplayStore({ client, timeoutMS: 100 } as never)).toThrow(
      new TypeError('unknown redisReplayStore option "timeoutMS"'),
    )
  })

  it('refuses a missing client or one without sendCommand', () => {
    expect(() => redisReplayStore({} as never)).toThrow(TypeError)
    expect(() => redisReplayStore({ client: { set: () => null } } as never)).toThrow(/"client"/)
  })

  it.each([
    ['timeoutMs', 0],
    ['timeoutMs', 1.5],
    ['failureThreshold', -1],
    ['cooldownMs', '5000'],
  ])('refuses %s = %j', (name, value) => {
    expect(() => redisReplayStore({ client, [name]: value })).toThrow(
      new TypeError(`"${name}" must be a positive integer`),
    )
  })

  it('refuses a keyPrefix that is not a string and an onEvent that is not a function', () => {
    expect(() => redisReplayStore({ client, keyPrefix: 1 } as never)).toThrow(/"keyPrefix"/)
    expect(() => redisReplayStore({ client, onEvent: 'log' } as never)).toThrow(/"onEvent"/)
  })
})
