import type { DemoClient, DemoResource } from '@keyward/dev-issuer'
import { getJson } from './http.js'
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
  /** Process and service name (also its JWKS `User-Agent`: `keyward-demo/<name>`). */
  readonly name: string
  /** Its folder under `apps/`. */
  readonly app: string
  readonly url: string
  readonly audience: string
}

/** The three demo APIs, each with its own audience. */
const DEMO_APIS = [
  { name: 'express-api', app: 'express-api', audience: 'urn:keyward:demo:express-api' },
  { name: 'koa-api', app: 'koa-api', audience: 'urn:keyward:demo:koa-api' },
  { name: 'nest-api', app: 'nest-api', audience: 'urn:keyward:demo:nest-api' },
] as const

export interface StackOptions {
  readonly logDir: string
  /** Extra dev issuer flags (token lifetimes, rotation timing). */
  readonly issuerArgs: readonly string[]
  /** Extra environment of every API (clock tolerance, key cache). */
  readonly apiEnv: Readonly<Record<string, string>>
  /** How long one process may take to be ready. */
  readonly startTimeoutMs: number
}

/** The running processes. `startApi` also serves the tour's "late" API. */
export interface Stack {
  readonly issuer: IssuerInfo
  readonly apis: readonly ApiHandle[]
  readonly group: ProcessGroup
  startApi(name: string, app: string, audience: string): Promise<ApiHandle>
}

/**
 * Starts the dev issuer, then the three APIs configured with its URL and their audience, and
 * waits until every API has fetched its keys. On failure, whatever started is stopped.
 *
 * @example
 * ```ts
 * const stack = await startStack({ logDir, issuerArgs: [], apiEnv: {}, startTimeoutMs: 30_000 })
 * await stack.group.stopAll()
 * ```
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const group = new ProcessGroup(options.logDir)
  try {
    const ready = await group.start(
      {
        name: 'dev-issuer',
        app: 'dev-issuer',
        args: ['--json', ...options.issuerArgs],
        ready: /^\{"event":"ready".*\}$/,
      },
      options.startTimeoutMs,
    )
    const issuer = JSON.parse(ready[0]) as IssuerInfo
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
      return { name, app, audience, url: match[1] ?? '' }
    }
    const apis = await Promise.all(
      DEMO_APIS.map((api) => startApi(api.name, api.app, api.audience)),
    )
    // Ready means keys fetched: every /healthz answers 200.
    await waitFor('the APIs to fetch their keys', options.startTimeoutMs, async () => {
      const answers = await Promise.all(apis.map((api) => fetch(`${api.url}/healthz`)))
      return answers.every((answer) => answer.status === 200)
    })
    return { issuer, apis, group, startApi }
  } catch (error) {
    await group.stopAll()
    throw error
  }
}

/** The dev issuer's `GET /_dev/state`. */
export function issuerState<T>(issuer: IssuerInfo): Promise<T> {
  return getJson<T>(`${issuer.issuer}/_dev/state`)
}
