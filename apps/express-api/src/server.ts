import { serveApi, type DemoApiConfig, type RunningApi } from '@keyward/demo-api-kit'
import { createApp } from './app.js'

/**
 * Starts the Express demo API on 127.0.0.1.
 *
 * @example
 * ```ts
 * const api = await startServer(loadApiConfig(process.env, { service: 'express-api', audience: AUDIENCE }))
 * ```
 */
export function startServer(config: DemoApiConfig): Promise<RunningApi> {
  const { app, verifier } = createApp(config)
  return serveApi(config, app, verifier)
}
