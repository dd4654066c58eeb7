import type { AddressInfo } from 'node:net'
import type { AppConfig, AppFactory } from './app-config.js'

/**
 * Entry point of one app's child process: reads which app from the environment, starts it on
 * loopback and reports the port to the parent over IPC. Afterwards it answers every `usage`
 * message with this process's CPU time (user + system, all threads: the libuv pool's signature
 * checks included) and the number of requests it has received, so the parent can divide one
 * by the other around each load round.
 */
interface AppRequest extends AppConfig {
  readonly module: string
  readonly key: string
}

/** What the app process answers to `'usage'`. */
export interface AppUsage {
  /** `process.cpuUsage()` in microseconds. */
  readonly userUs: number
  readonly systemUs: number
  /** Requests received so far. */
  readonly requests: number
}

const request = JSON.parse(process.env.KEYWARD_BENCH_APP ?? '{}') as AppRequest
const loaded = (await import(`./apps/${request.module}.js`)) as Record<string, AppFactory>
const factory = loaded[request.key]
if (factory === undefined) throw new Error(`no app "${request.key}" in ${request.module}`)
const server = await factory({
  issuer: request.issuer,
  audience: request.audience,
  jwksUri: request.jwksUri,
  publicBaseUrl: request.publicBaseUrl,
})
let requests = 0
// One more listener on every server of every framework: the same cost for each app.
server.on('request', () => {
  requests++
})
const { port } = server.address() as AddressInfo
process.send?.({ port })
process.on('message', (message) => {
  if (message !== 'usage') return
  const { user, system } = process.cpuUsage()
  const usage: AppUsage = { userUs: user, systemUs: system, requests }
  process.send?.(usage)
})
// The parent ends this process; losing the parent ends it too.
process.on('disconnect', () => {
  process.exit(0)
})
