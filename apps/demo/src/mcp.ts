import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createWriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { healthReport, loadApiConfig, type HealthBody } from '@keyward/demo-api-kit'
import { listenMcpServer, type RunningMcpServer } from '@keyward/mcp-server'

/** The MCP server of the tour, served from the demo's own process. */
export interface McpHandle {
  readonly kind: 'mcp'
  readonly name: 'mcp-server'
  /** The MCP endpoint's canonical URL: where to POST, and the token audience. */
  readonly url: string
  readonly audience: string
  /** What a demo API's `/healthz` would answer, read from the server's verifier. */
  health(): { status: number; body: HealthBody }
  /** HTTP requests the server has received (nothing but the tour calls it). */
  requests(): number
}

/** A bound MCP server, waiting for the issuer that must know its URL before minting tokens. */
export interface PendingMcp {
  /** `http://127.0.0.1:<port>/mcp`: the resource indicator to register with the issuer. */
  readonly resource: string
  /** Attaches the app, verifying with `apiEnv`'s settings like a demo API, and fetches keys. */
  serve(issuer: string, apiEnv: Readonly<Record<string, string>>): McpHandle
  /** Stops the server, served or not, and its verifier's background refresh. */
  close(): Promise<void>
}

// Node's built-in HTTP diagnostics channel: counts requests without wrapping the app.
const REQUEST_START = 'http.server.request.start'
const SERVICE = 'mcp-server'

/**
 * Binds the MCP server on 127.0.0.1 first (its canonical URL holds the port), so the dev issuer
 * can be started with `--resource <url>`; `serve` then configures its verifier as the demo APIs'
 * (same key cache, clock tolerance and `User-Agent: keyward-demo/mcp-server`, fetch log in
 * `logDir/mcp-server.log`).
 *
 * @example
 * ```ts
 * const pending = await listenMcp(logDir)
 * // start the issuer with --resource=${pending.resource}
 * const mcp = pending.serve(issuerUrl, { JWKS_CACHE_MAX_AGE_MS: '2000' })
 * await pending.close()
 * ```
 */
export async function listenMcp(logDir: string): Promise<PendingMcp> {
  const listening = await listenMcpServer({ port: 0 })
  const port = Number(new URL(listening.resource).port)
  let requests = 0
  const onRequest = (message: unknown): void => {
    if ((message as { request: IncomingMessage }).request.socket.localPort === port) requests += 1
  }
  subscribe(REQUEST_START, onRequest)
  const log = createWriteStream(join(logDir, `${SERVICE}.log`))
  let running: RunningMcpServer | undefined
  return {
    resource: listening.resource,
    serve(issuer, apiEnv) {
      const config = loadApiConfig(
        { ...apiEnv, ISSUER_URL: issuer, SERVICE_NAME: SERVICE },
        { service: SERVICE, audience: listening.resource },
        (line) => log.write(`${line}\n`),
      )
      const { clockToleranceMs, jwks, onEvent } = config.verifier
      // keyward's operator lines (a refused audience, keys that cannot load) go to this service's
      // log, like the API processes' stderr; the tour's own output stays the tour's.
      const logger = { warn: (line: string) => log.write(`${line}\n`) }
      running = listening.serve({ issuer, verifier: { clockToleranceMs, jwks, onEvent, logger } })
      // Like the demo APIs: fetch keys now, so the first request does not wait for them.
      running.verifier.warmup().catch(() => undefined)
      const { verifier } = running
      return {
        kind: 'mcp',
        name: SERVICE,
        url: running.url,
        audience: running.url,
        health: () => healthReport(SERVICE, verifier, config.fetchLog),
        requests: () => requests,
      }
    },
    async close() {
      unsubscribe(REQUEST_START, onRequest)
      await (running ?? listening).close()
      log.end()
    },
  }
}
