/**
 * Claims per second of `redisReplayStore` on a real local Redis, with one and with two store
 * instances (each its own process and connection, as two API instances would be). Every claim
 * is a fresh key: one `SET NX PX` round trip. Figures depend on the machine; they go in the
 * README with its description.
 *
 *   pnpm --filter @keyward/redis throughput          (starts its own redis-server)
 *   REDIS_URL=redis://… pnpm --filter @keyward/redis throughput
 */
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import { redisReplayStore } from '../src/index.js'
import { startRedis } from '../test/redis-server.js'

const DURATION_MS = Number(process.env.DURATION_MS ?? 3000)
// Claims in flight per instance: an API serving many requests at once.
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32)

if (process.argv[2] === 'worker') await worker()
else await main()

async function main(): Promise<void> {
  const own = process.env.REDIS_URL === undefined ? await startRedis() : undefined
  const url = own?.url ?? process.env.REDIS_URL ?? ''
  try {
    console.log(
      `redisReplayStore throughput: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
        `Node ${process.version}, ${CONCURRENCY} claims in flight per instance, ${DURATION_MS} ms`,
    )
    for (const instances of [1, 2]) {
      const counts = await Promise.all(Array.from({ length: instances }, () => runWorker(url)))
      const total = counts.reduce((sum, count) => sum + count, 0)
      const perSecond = Math.round(total / (DURATION_MS / 1000))
      console.log(`${instances} instance(s): ${perSecond.toLocaleString('en')} claims/s`)
    }
  } finally {
    await own?.stop()
  }
}

function runWorker(url: string): Promise<number> {
  const child = fork(fileURLToPath(import.meta.url), ['worker'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, REDIS_URL: url },
  })
  return new Promise((resolve, reject) => {
    child.on('message', (count) => {
      resolve(count as number)
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${String(code)}`))
    })
  })
}

async function worker(): Promise<void> {
  const client = await createClient({ url: process.env.REDIS_URL }).connect()
  const store = redisReplayStore({ client })
  const prefix = randomUUID()
  let next = 0
  // Warm up the connection and the JIT.
  for (let i = 0; i < 500; i++) await store.claim(`${prefix}:${next++}`, Date.now() + 60_000)
  let count = 0
  const end = Date.now() + DURATION_MS
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        if (await store.claim(`${prefix}:${next++}`, Date.now() + 60_000)) count++
      }
    }),
  )
  client.destroy()
  process.send?.(count)
}
