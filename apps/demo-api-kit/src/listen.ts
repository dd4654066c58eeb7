import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Verifier } from '@keyward/core'
import type { DemoApiConfig } from './config.js'

/** Demo APIs listen on loopback only. */
export const LISTEN_HOST = '127.0.0.1'

/** A started demo API. */
export interface RunningApi {
  readonly url: string
  close(): Promise<void>
}

/**
 * Prints the line the demo orchestrator (and a person) waits for, and returns the URL.
 *
 * @example
 * ```ts
 * const url = announce('nest-api', server.address())
 * ```
 */
export function announce(service: string, address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  const url = `http://${LISTEN_HOST}:${address.port}`
  console.log(`${service} listening on ${url}`)
  return url
}

/**
 * Serves a request handler (an Express app, a Koa `callback()`) on 127.0.0.1 and starts
 * fetching keys, so the first request does not wait for them. A failed warmup is logged by the
 * fetch log; the API then answers 503 until the issuer is reachable.
 *
 * @example
 * ```ts
 * const api = await serveApi(config, app, verifier)
 * ```
 */
export async function serveApi(
  config: DemoApiConfig,
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  verifier: Verifier,
): Promise<RunningApi> {
  // Koa's handler returns a promise that never rejects (it handles its own errors).
  const server = createServer((req, res) => void handler(req, res))
  server.listen(config.port, LISTEN_HOST)
  await once(server, 'listening')
  const url = announce(config.service, server.address())
  verifier.warmup().catch(() => undefined)
  return {
    url,
    async close() {
      verifier.close()
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/**
 * Closes the API on SIGINT or SIGTERM, then exits.
 *
 * @example
 * ```ts
 * runUntilSignal(await startServer(config))
 * ```
 */
export function runUntilSignal(api: RunningApi): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void api.close().finally(() => process.exit(0))
    })
  }
}
