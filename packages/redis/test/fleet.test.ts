import {
  DpopClient,
  expectedDpopChallenge,
  httpGet,
  startJwksServer,
  TestIssuer,
  type JwksServer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { redisReplayStore } from '../src/index.js'
import { connectRedis, type RedisClient } from './redis-server.js'
import { PUBLIC_BASE_URL, startApiInstance, type ApiInstance } from './api-instance.js'

describe('two API instances sharing one Redis', () => {
  let issuer: TestIssuer
  let jwks: JwksServer
  let clients: RedisClient[]
  let a: ApiInstance
  let b: ApiInstance
  let dpop: DpopClient
  beforeAll(async () => {
    issuer = await TestIssuer.create({ alg: 'ES256' })
    jwks = await startJwksServer({ issuer })
    // One connection per instance, as two processes would have.
    clients = await Promise.all([0, 1].map(() => connectRedis(inject('redisUrl'))))
    a = await startApiInstance(issuer, jwks.url, redisReplayStore({ client: clients[0]! }))
    b = await startApiInstance(issuer, jwks.url, redisReplayStore({ client: clients[1]! }))
    dpop = await DpopClient.create('ES256')
  })
  afterAll(async () => {
    await a.close()
    await b.close()
    for (const client of clients) client.destroy()
    await jwks.close()
  })

  it('refuses on the second instance a proof the first accepted (RFC 9449 §11.1)', async () => {
    const token = issuer.mint({ cnf: { jkt: dpop.jkt } })
    const headers = dpop.headers('GET', `${PUBLIC_BASE_URL}/orders`, token)
    expect((await httpGet(`${a.url}/orders`, headers)).status).toBe(200)
    const replayed = await httpGet(`${b.url}/orders`, headers)
    expect(replayed.status).toBe(401)
    expect(replayed.headers['www-authenticate']).toBe(
      expectedDpopChallenge('dpop_proof_replayed', {
        algs: ['ES256'],
        bearer: true,
        scheme: 'DPoP',
      }),
    )
    expect(JSON.parse(replayed.body)).toMatchObject({ error: 'invalid_dpop_proof' })
  })

  it('accepts fresh proofs of the same token on either instance', async () => {
    const token = issuer.mint({ cnf: { jkt: dpop.jkt } })
    const htu = `${PUBLIC_BASE_URL}/orders`
    expect((await httpGet(`${a.url}/orders`, dpop.headers('GET', htu, token))).status).toBe(200)
    expect((await httpGet(`${b.url}/orders`, dpop.headers('GET', htu, token))).status).toBe(200)
  })
})
