import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { AUDIENCE, type AlgorithmFixture } from '../fixtures.js'
import { median } from '../stats.js'
import { APPS, type AppDescriptor, type Framework } from './app-config.js'

export type HttpTokenMode = 'repeated' | 'distinct'

export interface HttpSettings {
  readonly rounds: number
  readonly durationS: number
  readonly warmupS: number
  readonly connections: number
}

export interface HttpRow {
  readonly framework: Framework
  readonly app: string
  readonly baseline: boolean
  readonly mode: HttpTokenMode
  /** Median over rounds of autocannon's average requests per second. */
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Median over rounds of this app's rate over its framework baseline's in the same round. */
  readonly ratio: number
  /** Non-2xx answers and socket errors: must be zero for the row to mean anything. */
  readonly failures: number
}

export interface HttpResult {
  readonly settings: HttpSettings
  readonly rows: readonly HttpRow[]
  readonly checks: readonly string[]
}

interface RunningApp {
  readonly descriptor: AppDescriptor
  readonly child: ChildProcess
  readonly url: string
}

const appProcess = fileURLToPath(new URL('./app-process.ts', import.meta.url))
const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url))

async function startApp(descriptor: AppDescriptor, fixture: AlgorithmFixture): Promise<RunningApp> {
  const child = fork(appProcess, [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: tsconfig,
      KEYWARD_BENCH_APP: JSON.stringify({
        module: descriptor.module,
        key: descriptor.key,
        issuer: fixture.iss,
        audience: AUDIENCE,
        jwksUri: fixture.server.url,
      }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error(`${descriptor.framework} ${descriptor.name} exited before listening`)
    }),
  ])) as [{ port: number }]
  return { descriptor, child, url: `http://127.0.0.1:${message.port}/` }
}

/** Each app must answer a valid token with its subject and a tampered one with 401. */
async function check(app: RunningApp, fixture: AlgorithmFixture): Promise<string | undefined> {
  const call = (token: string) => fetch(app.url, { headers: { authorization: `Bearer ${token}` } })
  const valid = await call(fixture.repeated)
  const body = (await valid.json()) as { sub?: unknown }
  const expected = app.descriptor.baseline ? 'anonymous' : 'client-123'
  if (valid.status !== 200 || body.sub !== expected) {
    return `valid token → ${valid.status} ${JSON.stringify(body)}`
  }
  if (!app.descriptor.baseline) {
    for (const [name, token] of Object.entries<string>({ ...fixture.bad })) {
      const answer = await call(token)
      await answer.arrayBuffer()
      if (answer.status !== 401) return `${name} token → ${answer.status}`
    }
  }
  return undefined
}

async function load(
  url: string,
  tokens: readonly string[],
  durationS: number,
  connections: number,
): Promise<autocannon.Result> {
  let next = 0
  return autocannon({
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            authorization: `Bearer ${tokens[next++ % tokens.length] ?? ''}`,
          },
        }),
      },
    ],
  })
}

/**
 * The HTTP suite: every app in its own process, autocannon from this one, on loopback. Each
 * app is checked, warmed up, then measured in interleaved rounds with one repeated token and
 * with distinct tokens; ratios compare it with its framework's baseline in the same round.
 */
export async function runHttp(
  fixture: AlgorithmFixture,
  settings: HttpSettings,
  log: (line: string) => void,
  only: {
    readonly apps?: readonly AppDescriptor[]
    readonly modes?: readonly HttpTokenMode[]
  } = {},
): Promise<HttpResult> {
  const apps: RunningApp[] = []
  const checks: string[] = []
  try {
    for (const descriptor of only.apps ?? APPS) {
      const app = await startApp(descriptor, fixture)
      apps.push(app)
      const failure = await check(app, fixture)
      const label = `${descriptor.framework} / ${descriptor.name}`
      checks.push(`${label}: ${failure ?? 'ok'}`)
      if (failure !== undefined) throw new Error(`${label} failed its check: ${failure}`)
    }
    log(`  ${apps.length} apps started and checked`)
    const rows: HttpRow[] = []
    for (const mode of only.modes ?? (['repeated', 'distinct'] as const)) {
      const tokens = mode === 'repeated' ? [fixture.repeated] : fixture.distinct
      for (const app of apps) await load(app.url, tokens, settings.warmupS, settings.connections)
      const results = new Map<RunningApp, autocannon.Result[]>(apps.map((app) => [app, []]))
      for (let round = 0; round < settings.rounds; round++) {
        for (const app of apps) {
          const result = await load(app.url, tokens, settings.durationS, settings.connections)
          results.get(app)?.push(result)
        }
      }
      for (const app of apps) {
        const own = results.get(app) ?? []
        const base =
          results.get(
            apps.find(
              (a) => a.descriptor.baseline && a.descriptor.framework === app.descriptor.framework,
            ) ?? app,
          ) ?? []
        const row: HttpRow = {
          framework: app.descriptor.framework,
          app: app.descriptor.name,
          baseline: app.descriptor.baseline,
          mode,
          reqPerSec: median(own.map((r) => r.requests.average)),
          p50Ms: median(own.map((r) => r.latency.p50)),
          p99Ms: median(own.map((r) => r.latency.p99)),
          ratio: median(
            own.map((r, i) => r.requests.average / (base[i]?.requests.average ?? Number.NaN)),
          ),
          failures: own.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
        }
        rows.push(row)
        log(
          `  ${mode} ${row.framework} / ${row.app}: ${Math.round(row.reqPerSec)} req/s ` +
            `p50 ${row.p50Ms} ms p99 ${row.p99Ms} ms ${row.ratio.toFixed(2)}×` +
            (row.failures > 0 ? ` (${row.failures} failures)` : ''),
        )
      }
    }
    return { settings, rows, checks }
  } finally {
    for (const app of apps) app.child.kill()
  }
}
