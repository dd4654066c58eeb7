import { DpopClient, httpGet, startJwksServer, TestIssuer } from '@keyward/test-utils'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { redisReplayStore, type RedisReplayStoreEvent } from '../src/index.js'
import { PUBLIC_BASE_URL, startApiInstance } from './api-instance.js'
import { startRedis } from './redis-server.js'

describe('when Redis stops', () => {
  it('answers 503 with Retry-After, then fails fast with the circuit open', async () => {
    // A server of this test's own: stopping it leaves the other tests' Redis alone.
    const redis = await startRedis()
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const jwks = await startJwksServer({ issuer })
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: 50 } })
    // node-redis reports connection loss as `error` events; unhandled, they would crash.
    client.on('error', () => undefined)
    await client.connect()
    let commands = 0
    const counted = {
      sendCommand: (args: string[]) => {
        commands++
        return client.sendCommand(args)
      },
    }
    const storeEvents: RedisReplayStoreEvent[] = []
    const store = redisReplayStore({
      client: counted,
      timeoutMs: 100,
      failureThreshold: 2,
      cooldownMs: 30_000,
      onEvent: (event) => storeEvents.push(event),
    })
    const api = await startApiInstance(issuer, jwks.url, store)
    const dpop = await DpopClient.create('ES256')
    const token = issuer.mint({ cnf: { jkt: dpop.jkt } })
    const request = () =>
      httpGet(`${api.url}/orders`, dpop.headers('GET', `${PUBLIC_BASE_URL}/orders`, token))
    try {
      expect((await request()).status).toBe(200)
      await redis.stop()

      // Fail closed: the proof cannot be checked for replay, so it is not accepted.
      for (let i = 0; i < 2; i++) {
        const reply = await request()
        expect(reply.status).toBe(503)
        expect(reply.headers['retry-after']).toBe('1')
        expect(reply.headers['www-authenticate']).toBeUndefined()
      }
      expect(storeEvents).toEqual([
        {
          type: 'redis_circuit_opened',
          failures: 2,
          cooldownMs: 30_000,
          reason: expect.any(String),
        },
      ])

      // The circuit is open: no command goes to Redis, Retry-After is the cooldown left.
      const before = commands
      const fast = await request()
      expect(fast.status).toBe(503)
      expect(Number(fast.headers['retry-after'])).toBeGreaterThan(25)
      expect(Number(fast.headers['retry-after'])).toBeLessThanOrEqual(30)
      expect(commands).toBe(before)
      const reasons = api.events
        .filter((event) => event.type === 'replay_store_unavailable')
        .map((event) => (event as { reason: string }).reason)
      expect(reasons).toHaveLength(3)
      expect(reasons[2]).toBe('redis_circuit_open')
      expect(['redis_timeout', 'redis_error']).toContain(reasons[0])
    } finally {
      await api.close()
      client.destroy()
      await jwks.close()
      await redis.stop()
    }
  })
})
