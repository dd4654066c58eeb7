import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { readFile } from 'node:fs/promises'
import { createClient } from 'redis'

const SCRIPT = fileURLToPath(new URL('../../../scripts/ensure-redis.sh', import.meta.url))

/** A redis-server started by `scripts/ensure-redis.sh`. */
export interface RedisServer {
  readonly url: string
  /** Stops it and resolves once the process is gone. */
  stop(): Promise<void>
}

/** Starts a redis-server on a free loopback port (installing it when missing). */
export async function startRedis(): Promise<RedisServer> {
  const { stdout } = await promisify(execFile)('bash', [SCRIPT], { timeout: 110_000 })
  const value = (name: string): string => {
    const found = new RegExp(`^${name}=(.+)$`, 'm').exec(stdout)?.[1]
    if (found === undefined) throw new Error(`ensure-redis.sh printed no ${name}`)
    return found
  }
  const url = value('REDIS_URL')
  const pid = Number((await readFile(value('REDIS_PIDFILE'), 'utf8')).trim())
  return {
    url,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        return
      }
      for (let i = 0; i < 200 && alive(pid); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The commands the tests use of a connected node-redis client. */
export interface RedisClient {
  sendCommand(args: string[]): Promise<unknown>
  pTTL(key: string): Promise<number>
  exists(key: string): Promise<number>
  destroy(): void
}

export async function connectRedis(url: string): Promise<RedisClient> {
  return createClient({ url }).connect()
}
