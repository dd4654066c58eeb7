import type { DemoClient, DemoResource } from '@keyward/dev-issuer'
import { getJson } from './http.js'
import { listenMcp, type McpHandle } from './mcp.js'
import { ProcessGroup } from './processes.js'
import { waitFor } from './wait.js'

/** The dev issuer's ready line (`--json`). */
export interface IssuerInfo {
  readonly issuer: string
  readonly jwksUri: string
  readonly tokenEndpoint: string
  readonly signingKid: string
  readonly clients: readonly DemoClient[]
  readonly resources: readonly DemoResource[]
}

/** A running demo API. */
export interface ApiHandle {
  readonly kind: 'http'
  /** Process and service name (also its JWKS `User-Agent`: `keyward-demo/<name>`). */
  readonly name: string
  /** Its folder under `apps/`. */
  readonly app: string
  readonly url: string
  readonly audience: string
}

/** The four demo APIs, each with its own audience. */
const DEMO_APIS = [
  { name: 'express-api', app: 'express-api', audience: 'urn:keyward:demo:express-api' },
  { name: 'koa-api', app: 'koa-api', audience: 'urn:keyward:demo:koa-api' },
  { name: 'nest-api', app: 'nest-api', audience: 'urn:keyward:demo:nest-api' },
  { name: 'fastify-api', app: 'fastify-api', audience: 'urn:keyward:demo:fastify-api' },
] as const

export interface StackOptions {
  readonly logDir: string
  /** Extra dev issuer flags (token lifetimes, rotation timing). */
  readonly issuerArgs: readonly string[]
  /** Extra environment of every API, also read by the MCP server (clock tolerance, key cache). */
  readonly apiEnv: Readonly<Record<string, string>>
  /** How long one process may take to be ready. */
  readonly startTimeoutMs: number
}

/** The running processes and the MCP server. `startApi` also serves the tour's "late" API. */
export interface Stack {
  readonly issuer: IssuerInfo
  readonly apis: readonly ApiHandle[]
  /** Served from this process: see {@link listenMcp}. */
  readonly mcp: McpHandle
  readonly group: ProcessGroup
  startApi(name: string, app: string, audience: string): Promise<ApiHandle>
  /** Stops the processes and the MCP server. */
  stop(): Promise<void>
}

/**
 * Binds the MCP server, starts the dev issuer knowing the MCP server's URL as a resource, serves
 * the MCP server and starts the four APIs configured with the issuer's URL and their audience,
 * and waits until every one has fetched its keys. On failure, whatever started is stopped.
 *
 * @example
 * ```ts
 * const stack = await startStack({ logDir, issuerArgs: [], apiEnv: {}, startTimeoutMs: 30_000 })
 * await stack.stop()
 * ```
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const group = new ProcessGroup(options.logDir)
  // The MCP server's URL holds its port, and the issuer must know a resource before minting
  // tokens for it: bind first, then start the issuer with --resource, then serve.
  const pending = await listenMcp(options.logDir)
  const stop = () => Promise.all([group.stopAll(), pending.close()]).then(() => undefined)
  try {
    const ready = await group.start(
      {
        name: 'dev-issuer',
        app: 'dev-issuer',
        args: ['--json', `--resource=${pending.resource}`, ...options.issuerArgs],
        ready: /^\{"event":"ready".*\}$/,
      },
      options.startTimeoutMs,
    )
    const issuer = JSON.parse(ready[0]) as IssuerInfo
    const mcp = pending.serve(issuer.issuer, options.apiEnv)
    const startApi = async (name: string, app: string, audience: string): Promise<ApiHandle> => {
      const match = await group.start(
        {
          name,
          app,
          // Only the issuer and the audience are required; the rest compresses time for the tour.
          env: {
            ...options.apiEnv,
            ISSUER_URL: issuer.issuer,
            AUDIENCE: audience,
            SERVICE_NAME: name,
            PORT: '0',
          },
          ready: /listening on (http:\/\/\S+)/,
        },
        options.startTimeoutMs,
      )
      return { kind: 'http', name, app, audience, url: match[1] ?? '' }
    }
    const apis = await Promise.all(
      DEMO_APIS.map((api) => startApi(api.name, api.app, api.audience)),
    )
    // Ready means keys fetched: every /healthz answers 200, and so would the MCP server's.
    await waitFor('the APIs to fetch their keys', options.startTimeoutMs, async () => {
      const answers = await Promise.all(apis.map((api) => fetch(`${api.url}/healthz`)))
      return answers.every((answer) => answer.status === 200) && mcp.health().status === 200
    })
    return { issuer, apis, mcp, group, startApi, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The dev issuer's `GET /_dev/state`. */
export function issuerState<T>(issuer: IssuerInfo): Promise<T> {
  return getJson<T>(`${issuer.issuer}/_dev/state`)
}
