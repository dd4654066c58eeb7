import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PUBLIC_BASE_URL } from '../dpop-fixture.js'
import { AUDIENCE, createFixture } from '../fixtures.js'
import type { AppUsage } from '../http/app-process.js'
import { median } from '../stats.js'

/**
 * What one request costs an HTTP app's process, three ways (issue 23's HTTP targets):
 *
 * - default: instructions per request, counted by valgrind's callgrind, which load from other
 *   processes on the shared cores does not bend at all. Each app runs in its own
 *   `node --single-threaded` process under callgrind, uninstrumented until a warm-up is done;
 *   then the count is switched on for a fixed number of requests and dumped. User space only:
 *   the kernel's share of a request (the socket writes) is not counted.
 * - `--cpu`: the app process's user and system CPU time per request, apart, in interleaved
 *   rounds (`--rounds=N`, default 8), without valgrind.
 * - `--cpu-prof`: the app under `node --cpu-prof`, profiles in `results/profiles/<app>/`.
 *
 * Usage: http-request-cost.ts [--cpu | --cpu-prof] [--rounds=N] [repeated|distinct]
 * [requests] [module:key ...] (default: Express and Nest, no auth and keyward, one repeated
 * token, 3000 requests over 16 keep-alive connections, as the http suite's autocannon).
 */
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'))
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const how = flags.includes('--cpu')
  ? 'cpu'
  : flags.includes('--cpu-prof')
    ? 'cpu-prof'
    : 'callgrind'
const rounds = Number(
  /^--rounds=(\d+)$/.exec(flags.find((f) => f.startsWith('--rounds=')) ?? '')?.[1] ?? '8',
)
const mode = args[0] === 'distinct' ? 'distinct' : 'repeated'
const requests = Number(args[1] ?? '3000')
const named = args.slice(2)
const apps =
  named.length > 0
    ? named
    : ['express-apps:baseline', 'express-apps:keyward', 'nest-apps:baseline', 'nest-apps:keyward']
const warmup = 4000
const connections = 16
const run = promisify(execFile)
const appProcess = fileURLToPath(new URL('../http/app-process.ts', import.meta.url))
const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url))
const profiles = fileURLToPath(new URL('../../results/profiles', import.meta.url))
const out = await mkdtemp(join(tmpdir(), 'keyward-callgrind-'))
const loads = how === 'cpu' ? rounds + 1 : 2
const fixture = await createFixture('RS256', mode === 'distinct' ? warmup + loads * requests : 0)
const tokens = mode === 'distinct' ? fixture.distinct : [fixture.repeated]

interface App {
  readonly name: string
  readonly child: ChildProcess
  readonly port: number
  /** Where this app's walk through `tokens` is. */
  cursor: number
}

/** Sends `count` GET requests over keep-alive connections, walking the token list forward. */
async function load(app: App, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const end = app.cursor + count
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const token = tokens[app.cursor++ % tokens.length] ?? ''
      const headers = { authorization: `Bearer ${token}` }
      const req = request(
        { host: '127.0.0.1', port: app.port, path: '/', agent, headers },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`${app.name}: ${String(res.statusCode)}`))
          res.resume().on('end', resolve)
        },
      )
      req.on('error', reject).end()
    })
  const worker = async () => {
    while (app.cursor < end) await one()
  }
  await Promise.all(Array.from({ length: connections }, worker))
  agent.destroy()
}

async function start(name: string): Promise<App> {
  const [module, key] = name.split(':')
  const node = [process.execPath, '--single-threaded', '--import', import.meta.resolve('tsx')]
  const callgrind = [
    '--tool=callgrind',
    '-q',
    '--instr-atstart=no',
    `--callgrind-out-file=${join(out, `${name}.%p`)}`,
  ]
  const command = {
    callgrind: ['valgrind', ...callgrind, ...node, appProcess],
    'cpu-prof': [...node, '--cpu-prof', `--cpu-prof-dir=${join(profiles, name)}`, appProcess],
    cpu: [...node, appProcess],
  }[how]
  const [executable, ...rest] = command as [string, ...string[]]
  const child = spawn(executable, rest, {
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: tsconfig,
      KEYWARD_BENCH_APP: JSON.stringify({
        module,
        key,
        issuer: fixture.iss,
        audience: AUDIENCE,
        jwksUri: fixture.server.url,
        publicBaseUrl: PUBLIC_BASE_URL,
      }),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const [message] = (await once(child, 'message')) as [{ port: number }]
  const app: App = { name, child, port: message.port, cursor: 0 }
  await load(app, warmup)
  return app
}

async function usage(app: App): Promise<AppUsage> {
  const answer = once(app.child, 'message')
  app.child.send('usage')
  const [message] = (await answer) as [AppUsage]
  return message
}

/** Instructions per request, counted for `requests` requests after the warm-up. */
async function instructions(app: App): Promise<number> {
  const pid = String(app.child.pid)
  // callgrind_control waits for the tool's answer, which comes once the process runs again.
  const on = run('callgrind_control', ['-i', 'on', pid])
  await load(app, 1)
  await on
  await run('callgrind_control', ['-z', pid])
  await load(app, requests)
  await run('callgrind_control', ['-d', pid])
  const dumps = (await readdir(out)).filter((f) => f.startsWith(`${app.name}.`)).sort()
  const text = await readFile(join(out, dumps.at(-1) ?? ''), 'utf8')
  return Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]) / requests
}

async function stop(app: App): Promise<void> {
  const exited = once(app.child, 'exit')
  // The app process exits on disconnect (a --cpu-prof profile is written then).
  app.child.disconnect()
  await exited
}

process.stdout.write(`${mode} token, ${requests} requests, ${how}\n`)
if (how === 'cpu') {
  const running: App[] = []
  for (const name of apps) running.push(await start(name))
  const perRound = new Map<App, { user: number; system: number }[]>(running.map((a) => [a, []]))
  for (let round = 0; round < rounds; round++) {
    for (const app of running) {
      const before = await usage(app)
      await load(app, requests)
      const after = await usage(app)
      const served = after.requests - before.requests
      perRound.get(app)?.push({
        user: (after.userUs - before.userUs) / served,
        system: (after.systemUs - before.systemUs) / served,
      })
    }
  }
  for (const app of running) {
    const own = perRound.get(app) ?? []
    // Ratios against the first app of the same module (its baseline), round by round.
    const base =
      perRound.get(running.find((a) => a.name.split(':')[0] === app.name.split(':')[0]) ?? app) ??
      []
    const ratio = median(
      own.map((r, i) => (r.user + r.system) / ((base[i]?.user ?? 0) + (base[i]?.system ?? 0))),
    )
    process.stdout.write(
      `${app.name}: user ${median(own.map((r) => r.user)).toFixed(1)} µs + system ` +
        `${median(own.map((r) => r.system)).toFixed(1)} µs = ` +
        `${median(own.map((r) => r.user + r.system)).toFixed(1)} µs/req, ${ratio.toFixed(3)}× the first app\n`,
    )
    await stop(app)
  }
} else {
  for (const name of apps) {
    const app = await start(name)
    if (how === 'cpu-prof') await load(app, requests)
    else
      process.stdout.write(
        `${name}: ${Math.round(await instructions(app)).toLocaleString('en')} instructions/req\n`,
      )
    if (how === 'callgrind') app.child.kill()
    else await stop(app)
  }
}
await fixture.server.close()
