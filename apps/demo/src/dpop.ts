import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createVerifier, type Verifier } from '@keyward/core'
import { bearerAuth, keywardErrorHandler } from '@keyward/express'
import { redisReplayStore } from '@keyward/redis'
import { DpopClient, startJwksServer, TestIssuer } from '@keyward/test-utils'
import express from 'express'
import { createClient } from 'redis'
import type { Row } from './report.js'

const SERVICE = 'dpop-api'
/** The APIs' public base URL: what proofs name in `htu`, whatever address the tour dials. */
const PUBLIC_BASE_URL = 'https://orders.demo.test'
const ENSURE_REDIS = fileURLToPath(new URL('../../../scripts/ensure-redis.sh', import.meta.url))

/**
 * DPoP (RFC 9449) on a fleet: two instances of one Express API (`@keyward/express`, DPoP
 * allowed), each with its own verifier and its own Redis connection, sharing one redis-server
 * (started by `scripts/ensure-redis.sh`, installed if missing) through `@keyward/redis`. The
 * client holds an ES256 key; its token is bound to it (`cnf.jkt`) by test-utils' `TestIssuer`.
 *
 * Rows: a fresh proof is 200; the same proof again is 401 (replay); a proof made for another
 * URL is 401; the bound token sent as Bearer is 401 (no downgrade); a proof used on instance A
 * and replayed on instance B is 401, because both claim proofs in the same Redis.
 *
 * @example
 * ```ts
 * rows.push(...(await runDpopRows()))
 * ```
 */
export async function runDpopRows(): Promise<Row[]> {
  const stage = await startStage()
  try {
    const { client, token } = stage
    const [a, b] = stage.urls
    const htu = `${PUBLIC_BASE_URL}/orders`
    const proof = client.headers('GET', htu, token)
    const rows: Row[] = []
    const first = await send(a, proof)
    rows.push(row('DPoP-bound token with a fresh proof', `${SERVICE} A`, '200', first, 200))
    rows.push(
      row(
        'the same DPoP proof again',
        `${SERVICE} A`,
        '401 invalid_dpop_proof',
        await send(a, proof),
      ),
    )
    const elsewhere = client.headers('GET', `${PUBLIC_BASE_URL}/admin`, token)
    rows.push(
      row(
        'DPoP proof made for another URL',
        `${SERVICE} A`,
        '401 invalid_dpop_proof',
        await send(a, elsewhere),
      ),
    )
    rows.push(
      row(
        'DPoP-bound token sent as Bearer',
        `${SERVICE} A`,
        '401 invalid_token',
        await send(a, { authorization: `Bearer ${token}` }),
      ),
    )
    const crossProof = client.headers('GET', htu, token)
    const onA = await send(a, crossProof)
    const onB = await send(b, crossProof)
    const crossOk = onA.status === 200 && onB.status === 401 && onB.error === 'invalid_dpop_proof'
    rows.push({
      scenario: 'proof used on A, replayed on B (shared Redis)',
      api: `${SERVICE} A+B`,
      expected: 'A 200, B 401 invalid_dpop_proof',
      got: `A ${describe(onA)}, B ${describe(onB)}`,
      ok: crossOk,
    })
    return rows
  } finally {
    await stage.close()
  }
}

interface Reply {
  readonly status: number
  readonly error: string | undefined
}

async function send(url: string, headers: Record<string, string>): Promise<Reply> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
  await response.text()
  const challenge = response.headers.get('www-authenticate') ?? ''
  return { status: response.status, error: /\berror="([^"]*)"/.exec(challenge)?.[1] }
}

function describe(reply: Reply): string {
  return reply.error === undefined ? String(reply.status) : `${String(reply.status)} ${reply.error}`
}

function row(scenario: string, api: string, expected: string, reply: Reply, status = 401): Row {
  const got = describe(reply)
  return { scenario, api, expected, got, ok: got === expected && reply.status === status }
}

interface Stage {
  readonly client: DpopClient
  readonly token: string
  /** `GET /orders` on instance A and on instance B. */
  readonly urls: readonly [string, string]
  close(): Promise<void>
}

async function startStage(): Promise<Stage> {
  const { stdout } = await promisify(execFile)('bash', [ENSURE_REDIS], { timeout: 120_000 })
  const redisUrl = /^REDIS_URL=(.+)$/m.exec(stdout)?.[1] ?? ''
  const redisPid = Number(
    (await readFile(/^REDIS_PIDFILE=(.+)$/m.exec(stdout)?.[1] ?? '', 'utf8')).trim(),
  )
  const issuer = await TestIssuer.create({ alg: 'ES256' })
  const jwks = await startJwksServer({ issuer })
  const client = await DpopClient.create('ES256')
  const instances = await Promise.all([
    startInstance(issuer, jwks.url, redisUrl),
    startInstance(issuer, jwks.url, redisUrl),
  ])
  return {
    client,
    token: issuer.mint({ cnf: { jkt: client.jkt } }),
    urls: [instances[0].url, instances[1].url],
    async close() {
      await Promise.all(instances.map((instance) => instance.close()))
      await jwks.close()
      process.kill(redisPid, 'SIGTERM')
    },
  }
}

async function startInstance(
  issuer: TestIssuer,
  jwksUri: string,
  redisUrl: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const redis = await createClient({ url: redisUrl }).connect()
  const verifier: Verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri,
    dpop: { publicBaseUrl: PUBLIC_BASE_URL },
    replayStore: redisReplayStore({ client: redis, keyPrefix: 'demo-orders:' }),
    // keyward's operator lines (plain http on loopback) stay out of the tour's output.
    logger: { warn: () => undefined },
  })
  const app = express()
  app.get('/orders', bearerAuth(verifier), (req, res) => {
    res.json({ sub: req.auth?.subject, binding: req.auth?.binding })
  })
  app.use(keywardErrorHandler())
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      resolve(listening)
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${String(port)}/orders`,
    async close() {
      verifier.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
      redis.destroy()
    },
  }
}
