import type { AddressInfo } from 'node:net'
import type { AppConfig, AppFactory } from './app-config.js'

/**
 * Entry point of one app's child process: reads which app from the environment, starts it on
 * loopback and reports the port to the parent over IPC.
 */
interface AppRequest extends AppConfig {
  readonly module: string
  readonly key: string
}

const request = JSON.parse(process.env.KEYWARD_BENCH_APP ?? '{}') as AppRequest
const loaded = (await import(`./apps/${request.module}.js`)) as Record<string, AppFactory>
const factory = loaded[request.key]
if (factory === undefined) throw new Error(`no app "${request.key}" in ${request.module}`)
const server = await factory({
  issuer: request.issuer,
  audience: request.audience,
  jwksUri: request.jwksUri,
})
const { port } = server.address() as AddressInfo
process.send?.({ port })
// The parent ends this process; losing the parent ends it too.
process.on('disconnect', () => {
  process.exit(0)
})
