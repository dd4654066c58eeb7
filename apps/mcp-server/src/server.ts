import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMcpApp, type McpApp, type McpAppOptions } from './app.js'

/** A bound port whose canonical URL is known, waiting for its app. */
export interface ListeningMcpServer {
  /** The canonical URL of the MCP endpoint (the token audience). */
  readonly resource: string
  /** Builds the app for this resource and starts answering requests with it. */
  serve(options: Omit<McpAppOptions, 'resource'>): RunningMcpServer
  close(): Promise<void>
}

/** A running MCP server. */
export interface RunningMcpServer extends McpApp {
  /** The canonical URL of the MCP endpoint (the token audience). */
  readonly url: string
  /** Stops the server (open connections included) and the verifier's background refresh. */
  close(): Promise<void>
}

/**
 * Binds 127.0.0.1:`port` first, so that the canonical URL (which holds the port) is known
 * before anything is configured with it: an authorization server must know a resource before
 * it mints tokens for it.
 *
 * @example
 * ```ts
 * const listening = await listenMcpServer({ port: 0 })
 * const issuer = await startIssuerKnowing(listening.resource)
 * const mcp = listening.serve({ issuer: issuer.url })
 * ```
 */
export async function listenMcpServer(options: {
  /** @defaultValue 0 (any free port) */
  readonly port?: number
  /** @defaultValue `http://127.0.0.1:<bound port>/mcp` */
  readonly resource?: string
}): Promise<ListeningMcpServer> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const resource = options.resource ?? `http://127.0.0.1:${port}/mcp`
  const close = (onClose?: () => void) =>
    new Promise<void>((resolve, reject) => {
      onClose?.()
      server.close((error) => {
        if (error === undefined) resolve()
        else reject(error)
      })
      // Clients keep connections alive; close() alone would wait for them.
      server.closeAllConnections()
    })
  return {
    resource,
    serve(appOptions) {
      const mcp = createMcpApp({ ...appOptions, resource })
      server.on('request', mcp.app)
      return {
        ...mcp,
        url: resource,
        close: () =>
          close(() => {
            mcp.verifier.close()
          }),
      }
    },
    close: () => close(),
  }
}

/**
 * Starts the MCP server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const mcp = await startMcpServer({ issuer: 'http://127.0.0.1:4000', port: 3030 })
 * console.log(mcp.url) // http://127.0.0.1:3030/mcp
 * ```
 */
export async function startMcpServer(
  options: Omit<McpAppOptions, 'resource'> & { readonly port?: number; readonly resource?: string },
): Promise<RunningMcpServer> {
  const { port, resource, ...appOptions } = options
  const listening = await listenMcpServer({ port, resource })
  return listening.serve(appOptions)
}
