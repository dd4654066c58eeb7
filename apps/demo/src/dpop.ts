import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createVerifier, type Verifier } from '@keyward/core'
import { requestToken } from '@keyward/dev-issuer'
import { bearerAuth, keywardErrorHandler } from '@keyward/express'
import { redisReplayStore } from '@keyward/redis'
import { DpopClient } from '@keyward/test-utils'
import express from 'express'
import { createClient } from 'redis'
import type { Row } from './report.js'
import type { IssuerInfo } from './stack.js'

const SERVICE = 'dpop-api'
/**
 * The API's public base URL: what proofs name in `htu`, whatever address the tour dials. It is
 * also its RFC 8707 resource indicator (the token's `aud`): the tour starts the dev issuer with
 * `--resource` set to it.
 */
export const DPOP_RESOURCE = 'https://orders.demo.test'
const ENSURE_REDIS = fileURLToPath(new URL('../../../scripts/ensure-redis.sh', import.meta.url))

/**
 * DPoP (RFC 9449) on a fleet: two instances of one Express API (`@keyward/express`, DPoP
 * allowed), each with its own verifier and its own Redis connection, sharing one redis-server
 * (started by `scripts/ensure-redis.sh`, installed if missing) through `@keyward/redis`. The
 * client `demo-dpop` holds an ES256 key and proves it on its token request, so the dev issuer
 * (oidc-provider, `features.dPoP`) binds its token to that key (`cnf.jkt`, `token_type DPoP`).
 *
 * Rows: the issuer binds the token; a fresh proof is 200; the same proof again is 401 (replay);
 * a proof made for another URL is 401; the bound token sent as Bearer is 401 (no downgrade); a
 * proof used on instance A and replayed on instance B is 401, because both claim proofs in the
 * same Redis. Each 401 is checked by status, the challenge scheme that carries the error, the
 * error and keyward's fixed `error_description`.
 *
 * @example
 * ```ts
 * rows.push(...(await runDpopRows(stack.issuer)))
 * ```
 */
export async function runDpopRows(issuer: IssuerInfo): Promise<Row[]> {
  const stage = await startStage(issuer)
  try {
    const { client, token, tokenType } = stage
    const [a, b] = stage.urls
    const htu = `${DPOP_RESOURCE}/orders`
    const rows: Row[] = []
    const jkt = tokenJkt(token)
    const binding = `token_type ${tokenType}, cnf.jkt ${jkt === client.jkt ? '= key thumbprint' : String(jkt)}`
    rows.push({
      scenario: 'dev issuer binds demo-dpop’s token to its key',
      api: SERVICE,
      expected: 'token_type DPoP, cnf.jkt = key thumbprint',
      got: binding,
      ok: binding === 'token_type DPoP, cnf.jkt = key thumbprint',
    })
    const proof = client.headers('GET', htu, token)
    rows.push(row('DPoP-bound token with a fresh proof', 'A', '200', await send(a, proof)))
    rows.push(
      row(
        'the same DPoP proof again',
        'A',
        '401 DPoP error="invalid_dpop_proof" (DPoP proof already used)',
        await send(a, proof),
      ),
    )
    const elsewhere = client.headers('GET', `${DPOP_RESOURCE}/admin`, token)
    rows.push(
      row(
        'DPoP proof made for another URL',
        'A',
        '401 DPoP error="invalid_dpop_proof" (invalid DPoP proof)',
        await send(a, elsewhere),
      ),
    )
    rows.push(
      row(
        'DPoP-bound token sent as Bearer',
        'A',
        '401 Bearer error="invalid_token" (sender-constrained access token presented as bearer)',
        await send(a, { authorization: `Bearer ${token}` }),
      ),
    )
    const crossProof = client.headers('GET', htu, token)
    const onA = await send(a, crossProof)
    const onB = await send(b, crossProof)
    const expected = 'A 200, B 401 DPoP error="invalid_dpop_proof" (DPoP proof already used)'
    const got = `A ${onA}, B ${onB}`
    rows.push({
      scenario: 'proof used on A, replayed on B (shared Redis)',
      api: `${SERVICE} A+B`,
      expected,
      got,
      ok: got === expected,
    })
    return rows
  } finally {
    await stage.close()
  }
}

/**
 * `200`, or `401 <scheme> error="<error>" (<error_description>)`: the status and the challenge
 * that carries the error (RFC 9449 §7.1: the scheme the request used), from `WWW-Authenticate`.
 */
async function send(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
  await response.text()
  const challenge = response.headers.get('www-authenticate') ?? ''
  // Challenges are `Bearer realm="…", DPoP realm="…", algs="…"`; the error sits in one of them.
  const carrying = /(?:^|, )(Bearer|DPoP) (?:[a-z_]+="[^"]*", )*error="([^"]*)"/.exec(challenge)
  if (carrying === null) return String(response.status)
  const description = /\berror_description="([^"]*)"/.exec(challenge)?.[1]
  return `${String(response.status)} ${carrying[1] ?? ''} error="${carrying[2] ?? ''}" (${description ?? ''})`
}

function row(scenario: string, instance: 'A' | 'B', expected: string, got: string): Row {
  return { scenario, api: `${SERVICE} ${instance}`, expected, got, ok: got === expected }
}

/** The bound token's `cnf.jkt` (RFC 9449 §6.1), read without verifying: the APIs verify. */
function tokenJkt(token: string): unknown {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    cnf?: { jkt?: unknown }
  }
  return payload.cnf?.jkt
}

interface Stage {
  readonly client: DpopClient
  readonly token: string
  readonly tokenType: string
  /** `GET /orders` on instance A and on instance B. */
  readonly urls: readonly [string, string]
  close(): Promise<void>
}

async function startStage(issuer: IssuerInfo): Promise<Stage> {
  const { stdout } = await promisify(execFile)('bash', [ENSURE_REDIS], { timeout: 120_000 })
  const redisUrl = /^REDIS_URL=(.+)$/m.exec(stdout)?.[1] ?? ''
  const redisPid = Number(
    (await readFile(/^REDIS_PIDFILE=(.+)$/m.exec(stdout)?.[1] ?? '', 'utf8')).trim(),
  )
  const client = await DpopClient.create('ES256')
  const registered = issuer.clients.find((c) => c.clientId === 'demo-dpop')
  if (registered === undefined) throw new Error('the dev issuer has no client demo-dpop')
  // RFC 9449 §5: the token request carries a proof for POST on the token endpoint (no `ath`).
  const { accessToken, tokenType } = await requestToken({
    tokenEndpoint: issuer.tokenEndpoint,
    clientId: registered.clientId,
    clientSecret: registered.clientSecret,
    resource: DPOP_RESOURCE,
    scope: 'notes:read',
    dpopProof: client.proof({ htm: 'POST', htu: issuer.tokenEndpoint }),
  })
  const instances = await Promise.all([
    startInstance(issuer, redisUrl),
    startInstance(issuer, redisUrl),
  ])
  return {
    client,
    token: accessToken,
    tokenType,
    urls: [instances[0].url, instances[1].url],
    async close() {
      await Promise.all(instances.map((instance) => instance.close()))
      process.kill(redisPid, 'SIGTERM')
    },
  }
}

async function startInstance(
  issuer: IssuerInfo,
  redisUrl: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const redis = await createClient({ url: redisUrl }).connect()
  const verifier: Verifier = createVerifier({
    issuer: issuer.issuer,
    audience: DPOP_RESOURCE,
    jwksUri: issuer.jwksUri,
    fetchHeaders: { 'user-agent': `keyward-demo/${SERVICE}` },
    dpop: { publicBaseUrl: DPOP_RESOURCE },
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
