import { announce, LISTEN_HOST, type DemoApiConfig, type RunningApi } from '@keyward/demo-api-kit'
import { createApp } from './app.js'

/**
 * Starts the Fastify demo API on 127.0.0.1, on Fastify's own HTTP server, and begins fetching
 * keys.
 *
 * @example
 * ```ts
 * const api = await startServer(loadApiConfig(process.env, { service: 'fastify-api', audience: AUDIENCE }))
 * ```
 */
export async function startServer(config: DemoApiConfig): Promise<RunningApi> {
  const { app, verifier } = createApp(config)
  await app.listen({ port: config.port, host: LISTEN_HOST })
  const url = announce(config.service, app.server.address())
  // Keys now rather than on the first request; a failure is logged by the fetch log.
  verifier.warmup().catch(() => undefined)
  return {
    url,
    async close() {
      verifier.close()
      await app.close()
    },
  }
}
