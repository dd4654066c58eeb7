import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { PUBLIC_BASE_URL, type BenchRequest, type DpopFixture } from '../dpop-fixture.js'
import { AUDIENCE, type AlgorithmFixture } from '../fixtures.js'
import { median } from '../stats.js'
import { APPS, type AppDescriptor, type Framework } from './app-config.js'
import type { AppUsage } from './app-process.js'

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
  /**
   * Median over rounds of the app process's CPU time (user + system, all threads) divided by
   * the requests it received in the round, in µs: what one request costs the server, a figure
   * that other load on the shared cores barely bends.
   */
  readonly cpuUsPerRequest: number
  /** Median over rounds of this app's CPU per request over its baseline's in the same round. */
  readonly cpuRatio: number
  /** Non-2xx answers and socket errors: must be zero for the row to mean anything. */
  readonly failures: number
  /** DPoP apps: proofs made during a round because the pre-made ones ran out (should be 0). */
  readonly lateProofs?: number
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

/** One measured round of one app. */
interface AppRound {
  readonly load: autocannon.Result
  readonly cpuUsPerRequest: number
  readonly lateProofs: number
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
        publicBaseUrl: PUBLIC_BASE_URL,
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

/** The app's CPU time so far and the requests it has received, asked over IPC. */
async function usage(app: RunningApp): Promise<AppUsage> {
  const answer = once(app.child, 'message')
  app.child.send('usage')
  const [message] = (await answer) as [AppUsage]
  return message
}

async function send(app: RunningApp, headers: Readonly<Record<string, string>>) {
  const answer = await fetch(app.url, { headers })
  const body = (await answer.json().catch(() => ({}))) as { sub?: unknown }
  return { status: answer.status, body }
}

/**
 * Each app must answer a valid token with its subject and every bad one with 401. A DPoP app
 * gets bound tokens with fresh proofs, and must also refuse a replayed proof, a proof for
 * another URL or method, a proof by a key the token is not bound to, and the bound token sent
 * as `Bearer`.
 */
async function check(
  app: RunningApp,
  fixture: AlgorithmFixture,
  dpop: DpopFixture | undefined,
): Promise<string | undefined> {
  const expected = app.descriptor.baseline ? 'anonymous' : 'client-123'
  if (app.descriptor.dpop === true) {
    if (dpop === undefined) return 'no DPoP fixture'
    const valid = dpop.request(dpop.repeated).headers
    const answer = await send(app, valid)
    if (answer.status !== 200 || answer.body.sub !== expected) {
      return `valid token and proof → ${answer.status} ${JSON.stringify(answer.body)}`
    }
    const refused: Record<string, Readonly<Record<string, string>>> = {
      'replayed proof': valid,
      'proof for another URL': dpop.request(dpop.repeated, { htu: `${dpop.htu}other` }).headers,
      'proof for POST': dpop.request(dpop.repeated, { htm: 'POST' }).headers,
      'proof by another key': dpop.request(dpop.otherKey).headers,
      'bound token as Bearer': { authorization: `Bearer ${dpop.repeated}` },
    }
    for (const [name, token] of Object.entries<string>({ ...dpop.bad })) {
      refused[`${name} token`] = dpop.request(token).headers
    }
    for (const [name, headers] of Object.entries(refused)) {
      const { status } = await send(app, headers)
      if (status !== 401) return `${name} → ${status}`
    }
    return undefined
  }
  const valid = await send(app, { authorization: `Bearer ${fixture.repeated}` })
  if (valid.status !== 200 || valid.body.sub !== expected) {
    return `valid token → ${valid.status} ${JSON.stringify(valid.body)}`
  }
  if (!app.descriptor.baseline) {
    for (const [name, token] of Object.entries<string>({ ...fixture.bad })) {
      const { status } = await send(app, { authorization: `Bearer ${token}` })
      if (status !== 401) return `${name} token → ${status}`
    }
  }
  return undefined
}

async function load(
  url: string,
  headers: () => Readonly<Record<string, string>>,
  durationS: number,
  connections: number,
): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, ...headers() },
        }),
      },
    ],
  })
}

/**
 * Where an app's request headers come from in one load. Bearer apps walk their token list
 * forward across rounds without restarting, so a distinct token comes back only after the
 * whole list (more than any cache holds). DPoP apps get proofs made before the load starts,
 * enough for `expected` requests; past those, proofs are made on the fly and counted.
 */
interface HeaderSource {
  readonly next: () => Readonly<Record<string, string>>
  readonly late: () => number
}

function headerSource(
  app: RunningApp,
  tokens: readonly string[],
  cursor: Map<RunningApp, number>,
  dpop: readonly string[] | undefined,
  dpopFixture: DpopFixture | undefined,
  expected: number,
): HeaderSource {
  let position = cursor.get(app) ?? 0
  const take = (list: readonly string[]) => {
    const token = list[position % list.length] ?? ''
    position++
    cursor.set(app, position)
    return token
  }
  if (dpop === undefined || dpopFixture === undefined) {
    return { next: () => ({ authorization: `Bearer ${take(tokens)}` }), late: () => 0 }
  }
  const made: BenchRequest[] = []
  for (let i = 0; i < expected; i++) made.push(dpopFixture.request(take(dpop)))
  let used = 0
  let late = 0
  return {
    next: () => {
      const request = made[used++]
      if (request !== undefined) return request.headers
      late++
      return dpopFixture.request(take(dpop)).headers
    },
    late: () => late,
  }
}

/** One load against one app, with its CPU time per request. */
async function measure(
  app: RunningApp,
  source: HeaderSource,
  durationS: number,
  connections: number,
): Promise<AppRound> {
  const before = await usage(app)
  const result = await load(app.url, source.next, durationS, connections)
  const after = await usage(app)
  const cpuUs = after.userUs + after.systemUs - (before.userUs + before.systemUs)
  return {
    load: result,
    cpuUsPerRequest: cpuUs / Math.max(1, after.requests - before.requests),
    lateProofs: source.late(),
  }
}

/**
 * The HTTP suite: every app in its own process, autocannon from this one, on loopback. Each
 * app is checked, warmed up, then measured in interleaved rounds with one repeated token and
 * with distinct tokens; ratios compare it with its framework's baseline in the same round, in
 * throughput and in the app process's CPU time per request. Apps marked `dpop` get bound tokens
 * from `dpop` with a fresh proof per request, made before each round.
 */
export async function runHttp(
  fixture: AlgorithmFixture,
  settings: HttpSettings,
  log: (line: string) => void,
  only: {
    readonly apps?: readonly AppDescriptor[]
    readonly modes?: readonly HttpTokenMode[]
    readonly dpop?: DpopFixture
  } = {},
): Promise<HttpResult> {
  const apps: RunningApp[] = []
  const checks: string[] = []
  const dpop = only.dpop
  try {
    for (const descriptor of only.apps ?? APPS) {
      if (descriptor.dpop === true && dpop === undefined) continue
      const app = await startApp(descriptor, fixture)
      apps.push(app)
      const failure = await check(app, fixture, dpop)
      const label = `${descriptor.framework} / ${descriptor.name}`
      checks.push(`${label}: ${failure ?? 'ok'}`)
      if (failure !== undefined) throw new Error(`${label} failed its check: ${failure}`)
    }
    log(`  ${apps.length} apps started and checked`)
    const rows: HttpRow[] = []
    const cursor = new Map<RunningApp, number>()
    // Requests per second each DPoP app last managed: sizes the proofs made for its next load.
    const lastRate = new Map<RunningApp, number>()
    for (const mode of only.modes ?? (['repeated', 'distinct'] as const)) {
      const tokens = mode === 'repeated' ? [fixture.repeated] : fixture.distinct
      const bound = dpop && (mode === 'repeated' ? [dpop.repeated] : dpop.distinct)
      const source = (app: RunningApp, durationS: number) => {
        const isDpop = app.descriptor.dpop === true
        // Half again the last rate, and never fewer than a slow app needs.
        const expected = Math.ceil((lastRate.get(app) ?? 2000) * durationS * 1.5) + 256
        return headerSource(app, tokens, cursor, isDpop ? bound : undefined, dpop, expected)
      }
      for (const app of apps) {
        const warm = await measure(
          app,
          source(app, settings.warmupS),
          settings.warmupS,
          settings.connections,
        )
        lastRate.set(app, warm.load.requests.average)
      }
      const results = new Map<RunningApp, AppRound[]>(apps.map((app) => [app, []]))
      for (let round = 0; round < settings.rounds; round++) {
        for (const app of apps) {
          const result = await measure(
            app,
            source(app, settings.durationS),
            settings.durationS,
            settings.connections,
          )
          lastRate.set(app, result.load.requests.average)
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
        const lateProofs = own.reduce((sum, r) => sum + r.lateProofs, 0)
        const row: HttpRow = {
          framework: app.descriptor.framework,
          app: app.descriptor.name,
          baseline: app.descriptor.baseline,
          mode,
          reqPerSec: median(own.map((r) => r.load.requests.average)),
          p50Ms: median(own.map((r) => r.load.latency.p50)),
          p99Ms: median(own.map((r) => r.load.latency.p99)),
          ratio: median(
            own.map(
              (r, i) => r.load.requests.average / (base[i]?.load.requests.average ?? Number.NaN),
            ),
          ),
          cpuUsPerRequest: median(own.map((r) => r.cpuUsPerRequest)),
          cpuRatio: median(
            own.map((r, i) => r.cpuUsPerRequest / (base[i]?.cpuUsPerRequest ?? Number.NaN)),
          ),
          failures: own.reduce(
            (sum, r) => sum + r.load.non2xx + r.load.errors + r.load.timeouts,
            0,
          ),
          ...(app.descriptor.dpop === true ? { lateProofs } : {}),
        }
        rows.push(row)
        log(
          `  ${mode} ${row.framework} / ${row.app}: ${Math.round(row.reqPerSec)} req/s ` +
            `${row.ratio.toFixed(2)}×, CPU ${row.cpuUsPerRequest.toFixed(0)} µs/req ` +
            `${row.cpuRatio.toFixed(2)}×, p50 ${row.p50Ms} ms p99 ${row.p99Ms} ms` +
            (row.failures > 0 ? ` (${row.failures} failures)` : '') +
            (lateProofs > 0 ? ` (${lateProofs} proofs made during rounds)` : ''),
        )
      }
    }
    return { settings, rows, checks }
  } finally {
    for (const app of apps) app.child.kill()
  }
}
