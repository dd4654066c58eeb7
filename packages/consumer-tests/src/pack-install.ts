// pnpm test:pack: the public packages as an application installs them. Packs each package (as
// `pnpm publish` would: `workspace:` ranges become versions), installs the tarballs, not the
// workspace, with npm into a clean project outside the repository, and uses them from there:
// ESM import and CommonJS require, tsc with node16 and bundler resolution and
// `skipLibCheck: false`, an Express, a Koa, a Nest and a Fastify application against a real
// JWKS, the README quick starts compiled and run as printed against the dev issuer, and the
// `keyward` executable through npx.
// Builds nothing: run `pnpm build` first (`pnpm verify` does).
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_RESOURCES, DEMO_SCOPES, requestToken, startDevIssuer } from '@keyward/dev-issuer'
import { startIssuer, type IssuerFixture } from '@keyward/test-utils'
import {
  exerciseQuickStart,
  freePort,
  QUICK_STARTS,
  README_AUDIENCE,
  readQuickStart,
  startQuickStart,
  substitute,
} from './quick-starts.js'
import { linksMissingFromTarball } from './readme-links.js'

const packagesDir = fileURLToPath(new URL('../../', import.meta.url))
const fixtureDir = fileURLToPath(new URL('../fixture/', import.meta.url))

/** Each public package and the exports an application reaches for first. */
const MAIN_EXPORTS: Readonly<Record<string, readonly string[]>> = {
  '@keyward/core': [
    'createVerifier',
    'resolveVerifier',
    'KeywardError',
    'isKeywardError',
    'extractBearerToken',
    'requireScopes',
    'formatChallenge',
    'protectedResourceMetadata',
  ],
  '@keyward/express': [
    'bearerAuth',
    'requireScopes',
    'requireAnyScope',
    'protectedResource',
    'keywardErrorHandler',
    'KeywardError',
  ],
  '@keyward/koa': [
    'bearerAuth',
    'requireScopes',
    'requireAnyScope',
    'protectedResource',
    'KeywardError',
  ],
  '@keyward/nestjs': [
    'KeywardModule',
    'BearerAuthGuard',
    'BearerAuth',
    'Auth',
    'Public',
    'OptionalAuth',
    'Scopes',
    'AnyScope',
    'ProtectedResourceController',
    'KeywardError',
  ],
  '@keyward/fastify': [
    'bearerAuth',
    'bearerAuthHook',
    'requireScopes',
    'requireAnyScope',
    'protectedResource',
    'KeywardError',
  ],
  '@keyward/opentelemetry': ['keywardMetrics'],
  '@keyward/redis': ['redisReplayStore', 'RedisReplayStoreError'],
}
const PACKAGES = Object.keys(MAIN_EXPORTS)
/** Public packages that are executables, not libraries: installed and run, never imported. */
const EXECUTABLES: readonly string[] = ['@keyward/cli']
const PACKED = [...PACKAGES, ...EXECUTABLES]

/** The peers an application installs beside the adapters, plus the compiler and its types. */
const PEERS = [
  'express@^5',
  'koa@^3',
  'fastify@^5',
  // Not a peer: @types/koa types `ctx.attachment()` with content-disposition 0.5's `Options`,
  // resolved from the top of node_modules. Express 5.3 depends on content-disposition 2, which
  // ships its own types without `Options`, and npm hoists it there: TS2694 inside @types/koa
  // under `skipLibCheck: false` in any project with both frameworks. Koa's own range hoists
  // Koa's copy instead, and Express keeps its copy nested.
  'content-disposition@~1.0.1',
  '@opentelemetry/api@^1.9',
  '@nestjs/common@^11',
  '@nestjs/core@^11',
  '@nestjs/platform-express@^11',
  'reflect-metadata@^0.2',
  'rxjs@^7',
  'typescript@~5.9',
  '@types/node@^20',
  '@types/express@^5',
  '@types/koa@^3',
]

class CheckFailed extends Error {}

interface Output {
  readonly stdout: string
  readonly stderr: string
}

function run(command: string, args: readonly string[], cwd: string, env = cleanEnv()) {
  return new Promise<Output>((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve({ stdout, stderr })
      else
        reject(
          new CheckFailed(
            `${command} ${args.join(' ')} exited with ${String(error.code)}:\n${stdout}${stderr}`,
          ),
        )
    })
  })
}

/**
 * The environment without what `pnpm run` adds (npm_package_*, npm_lifecycle_*, PNPM_*), so npm
 * and node in the project see an ordinary shell; the user's own `npm_config_*` stay.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(?!config_)|pnpm_)/i.test(key) || key === 'npm_config_user_agent') continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/** Runs one check; resolves with its line, `ok …` or `FAIL …`, and whether it passed. */
async function check(describe: () => Promise<string>): Promise<{ ok: boolean; line: string }> {
  const started = performance.now()
  try {
    return { ok: true, line: `ok   ${await describe()} (${seconds(started)})` }
  } catch (error) {
    const message = error instanceof CheckFailed ? error.message : String(error)
    return { ok: false, line: `FAIL ${message}` }
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`
}

async function pack(into: string): Promise<string[]> {
  for (const name of PACKED) {
    const entry = EXECUTABLES.includes(name) ? 'main.js' : 'index.js'
    const dist = join(packagesDir, name.slice('@keyward/'.length), 'dist', entry)
    if (!existsSync(dist)) throw new CheckFailed(`${dist} is missing: run pnpm build first`)
  }
  const filters = PACKED.flatMap((name) => ['--filter', name])
  await run(
    'pnpm',
    ['-r', ...filters, 'pack', '--pack-destination', into],
    packagesDir,
    process.env,
  )
  const tarballs = (await readdir(into)).filter((file) => file.endsWith('.tgz')).sort()
  if (tarballs.length !== PACKED.length) {
    throw new CheckFailed(
      `expected ${PACKED.length} tarballs, pnpm pack wrote ${tarballs.join(', ')}`,
    )
  }
  return tarballs.map((file) => join(into, file))
}

const REPOSITORY = 'https://github.com/keyward/keyward'

/**
 * What npm shows of each tarball (issue 21, point 7): its README links only to files in the
 * tarball or absolutely, and its package.json names the repository (with the package's
 * directory), homepage and bug tracker, so npmjs.com links back to the source.
 */
async function checkPackedDocs(tarballs: readonly string[]): Promise<string> {
  const problems: string[] = []
  for (const tarball of tarballs) {
    const listing = await run('tar', ['-tzf', tarball], packagesDir)
    // npm tarballs put everything under `package/`.
    const files = new Set(
      listing.stdout
        .split('\n')
        .filter((line) => line.startsWith('package/'))
        .map((line) => line.slice('package/'.length)),
    )
    const readme = await run('tar', ['-xzOf', tarball, 'package/README.md'], packagesDir)
    for (const link of linksMissingFromTarball(readme.stdout, files)) {
      problems.push(`${basename(tarball)}: README links to ${link}, not in the tarball`)
    }
    const manifest = await run('tar', ['-xzOf', tarball, 'package/package.json'], packagesDir)
    const { name, repository, homepage, bugs } = JSON.parse(manifest.stdout) as {
      name: string
      repository?: { type?: string; url?: string; directory?: string }
      homepage?: string
      bugs?: { url?: string }
    }
    const directory = `packages/${name.slice('@keyward/'.length)}`
    if (
      repository?.type !== 'git' ||
      repository.url !== `git+${REPOSITORY}.git` ||
      repository.directory !== directory ||
      homepage !== `${REPOSITORY}/tree/main/${directory}#readme` ||
      bugs?.url !== `${REPOSITORY}/issues`
    ) {
      problems.push(
        `${basename(tarball)}: package.json repository, homepage or bugs missing or wrong`,
      )
    }
  }
  if (problems.length > 0) {
    throw new CheckFailed(`packed docs (make README links absolute):\n${problems.join('\n')}`)
  }
  return `${tarballs.length} tarballs: README links name files in the tarball or are absolute; repository, homepage and bugs set`
}

/** What REPORT_EXPORTS prints. */
type ExportReport = Record<
  string,
  { file: string; types: Record<string, string>; sameKeywardError: boolean }
>

// Run by a plain `node` in the project, given `resolve` and `load` for one module system: which
// file each package resolves to, the `typeof` of each export, and whether the package's
// KeywardError, if it re-exports one (@keyward/opentelemetry and @keyward/redis do not), is core's (one
// @keyward/core installed).
const REPORT_EXPORTS = `
  const report = {}
  const core = await load('@keyward/core')
  for (const name of ${JSON.stringify(PACKAGES)}) {
    const m = await load(name)
    const types = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))
    report[name] = { file: resolve(name), types, sameKeywardError: m.KeywardError === undefined || m.KeywardError === core.KeywardError }
  }
  console.log(JSON.stringify(report))`

async function checkModuleSystem(project: string, system: 'esm' | 'cjs'): Promise<string> {
  const script =
    system === 'esm'
      ? `const resolve = (n) => import.meta.resolve(n); const load = (n) => import(n)\n${REPORT_EXPORTS}`
      : `const resolve = (n) => require.resolve(n); const load = async (n) => require(n)\n` +
        `;(async () => { ${REPORT_EXPORTS} })().catch((e) => { console.error(e); process.exit(1) })`
  const args = system === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script]
  const { stdout } = await run(process.execPath, args, project)
  const report = JSON.parse(stdout) as ExportReport
  for (const [name, expected] of Object.entries(MAIN_EXPORTS)) {
    const got = report[name]
    // The exports map's `import` / `require` condition: dist/index.js or dist/index.cjs.
    const entry = system === 'esm' ? '/dist/index.js' : '/dist/index.cjs'
    if (got !== undefined && !got.file.endsWith(entry)) {
      throw new CheckFailed(`${system}: ${name} resolved to ${got.file}, not …${entry}`)
    }
    const missing = expected.filter((key) => got?.types[key] !== 'function')
    if (got === undefined || missing.length > 0) {
      throw new CheckFailed(`${system}: ${name} does not export ${missing.join(', ')} as functions`)
    }
    // One @keyward/core in the project: the adapters' dependency resolved to the core tarball.
    if (!got.sameKeywardError) {
      throw new CheckFailed(`${system}: ${name} re-exports a KeywardError from another core copy`)
    }
  }
  const verb = system === 'esm' ? 'ESM import' : 'CommonJS require'
  return `${verb} of ${PACKAGES.join(', ')}: main exports present, one @keyward/core`
}

async function checkTypes(project: string, config: string, label: string): Promise<string> {
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc')
  try {
    await run(process.execPath, [tsc, '-p', config], project)
  } catch (error) {
    const output = error instanceof CheckFailed ? error.message.replace(/^.*\n/, '') : String(error)
    throw new CheckFailed(`tsc ${label}, skipLibCheck false:\n${output.trim()}`)
  }
  return `tsc --noEmit, ${label}, strict, skipLibCheck false: a program importing every package`
}

/** Starts an app file as its own `node` process; resolves with the port it prints. */
async function checkApp(project: string, name: string, file: string, fixture: IssuerFixture) {
  const child = spawn(process.execPath, [file], {
    cwd: project,
    env: cleanEnv({ KEYWARD_OPTIONS: JSON.stringify(fixture.options) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => {
        reject(new CheckFailed(`${name} app did not start in 30s\n${stderr}`))
      }, 30_000)
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        const line = stdout.split('\n', 1)[0]
        if (line === undefined || !stdout.includes('\n')) return
        clearTimeout(timer)
        resolve((JSON.parse(line) as { port: number }).port)
      })
      child.on('exit', (code) => {
        clearTimeout(timer)
        reject(new CheckFailed(`${name} app exited with ${String(code)}\n${stderr}`))
      })
    })
    const url = `http://127.0.0.1:${port}/me`
    const anonymous = await fetch(url)
    const challenge = anonymous.headers.get('www-authenticate') ?? ''
    if (anonymous.status !== 401 || !/^Bearer\b/.test(challenge)) {
      throw new CheckFailed(
        `${name}: without a token expected 401 with a Bearer challenge, got ${anonymous.status} ` +
          `"${challenge}"\n${stderr}`,
      )
    }
    const token = fixture.issuer.mint({ sub: 'pack-test' })
    const authorised = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    const body = await authorised.text()
    if (authorised.status !== 200 || body !== JSON.stringify({ sub: 'pack-test' })) {
      throw new CheckFailed(
        `${name}: with a token expected 200 {"sub":"pack-test"}, got ${authorised.status} ${body}\n${stderr}`,
      )
    }
    return `${name} app: 401 + Bearer challenge without a token, 200 with a token from the test issuer`
  } finally {
    child.kill()
  }
}

/** Runs the installed `keyward` through npx, `stdin` on its standard input. */
function npxKeyward(project: string, args: readonly string[], stdin = '') {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('npx', ['keyward', ...args], {
      cwd: project,
      env: cleanEnv({ NO_COLOR: '1' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('close', (status) => {
      resolve({ status, stdout, stderr })
    })
    child.stdin.end(stdin)
  })
}

/** The `keyward` bin from the tarball: its help, and `explain` accepting a test-issuer token. */
async function checkCli(project: string, fixture: IssuerFixture): Promise<string> {
  const help = await npxKeyward(project, ['--help'])
  if (help.status !== 0 || !help.stdout.startsWith('Usage: keyward <command>')) {
    throw new CheckFailed(
      `npx keyward --help exited ${String(help.status)}:\n${help.stdout}${help.stderr}`,
    )
  }
  const { issuer, audience, jwksUri } = fixture.options as {
    issuer: string
    audience: string
    jwksUri: string
  }
  const args = [
    'explain',
    '--issuer',
    issuer,
    '--audience',
    audience,
    '--jwks-uri',
    jwksUri,
    '--json',
  ]
  const explained = await npxKeyward(project, args, fixture.issuer.mint({ sub: 'pack-test' }))
  const accepted = (JSON.parse(explained.stdout || '{}') as { accepted?: unknown }).accepted
  if (explained.status !== 0 || accepted !== true) {
    throw new CheckFailed(
      `npx keyward explain exited ${String(explained.status)}:\n${explained.stdout}${explained.stderr}`,
    )
  }
  return 'npx keyward --help, and keyward explain accepting a token from the test issuer'
}

/**
 * Each README quick start (./quick-starts.ts), as printed but for the issuer and port, compiled
 * by one tsc run against the installed tarballs with the settings of a new project (Nest CLI's
 * decorator flags; `skipLibCheck` as `tsc --init` sets it: the packages' declarations are checked
 * by the tsc checks above) and run with node against the dev issuer, a real OIDC provider found
 * by discovery only.
 */
async function checkQuickStarts(project: string): Promise<string> {
  const dir = join(project, 'quick-starts')
  await mkdir(dir)
  const issuer = await startDevIssuer({
    resources: [...DEMO_RESOURCES, { indicator: README_AUDIENCE, scopes: DEMO_SCOPES }],
  })
  try {
    const reader = issuer.clients.find((client) => client.clientId === 'demo-reader')
    if (reader === undefined) throw new CheckFailed('the dev issuer has no demo-reader client')
    const { accessToken } = await requestToken({
      tokenEndpoint: issuer.tokenEndpoint,
      clientId: reader.clientId,
      clientSecret: reader.clientSecret,
      resource: README_AUDIENCE,
      scope: 'notes:read',
    })
    const ports = new Map<string, number>()
    for (const quickStart of QUICK_STARTS) {
      const port = await freePort()
      ports.set(quickStart.name, port)
      const code = substitute(await readQuickStart(project, quickStart.name), issuer.url, port)
      await writeFile(join(dir, `${slug(quickStart.name)}.ts`), code)
    }
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          outDir: 'dist',
        },
        include: ['*.ts'],
      }),
    )
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc')
    await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], project)
    for (const quickStart of QUICK_STARTS) {
      const port = ports.get(quickStart.name) ?? 0
      const file = join(dir, 'dist', `${slug(quickStart.name)}.js`)
      let started: Awaited<ReturnType<typeof startQuickStart>> | undefined
      try {
        started = await startQuickStart(file, project, port, cleanEnv())
        await exerciseQuickStart(quickStart, port, accessToken)
      } catch (error) {
        const output = started?.output() ?? ''
        throw new CheckFailed(`${quickStart.name} README quick start: ${String(error)}\n${output}`)
      } finally {
        started?.stop()
      }
    }
  } finally {
    await issuer.close()
  }
  const names = QUICK_STARTS.map((quickStart) => quickStart.name).join(', ')
  return `README quick starts of ${names}: compiled as printed, 401 + bare Bearer challenge without a token, 200 with a dev-issuer token, public routes 200, a missing scope 403`
}

function slug(name: string): string {
  return name.slice('@keyward/'.length)
}

async function main(root: string): Promise<boolean> {
  const tarballDir = join(root, 'tarballs')
  const project = join(root, 'app')
  await mkdir(tarballDir)
  await mkdir(project)
  const fixture = await startIssuer()
  const report = (result: { ok: boolean; line: string }): boolean => {
    ;(result.ok ? console.log : console.error)(result.line)
    return result.ok
  }
  try {
    let tarballs: string[] = []
    const packed = await check(async () => {
      tarballs = await pack(tarballDir)
      return `pnpm pack: ${tarballs.map((file) => basename(file)).join(', ')}`
    })
    if (!report(packed)) return false
    const links = report(await check(() => checkPackedDocs(tarballs)))
    const installed = await check(async () => {
      await writeFile(
        join(project, 'package.json'),
        JSON.stringify({ name: 'keyward-pack-test', private: true, type: 'module' }),
      )
      // One command, so npm satisfies the adapters' `@keyward/core` range with the core tarball.
      const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']
      await run('npm', ['install', ...flags, ...tarballs, ...PEERS], project)
      return `npm install of the ${tarballs.length} tarballs and ${PEERS.length} peers into ${project}`
    })
    if (!report(installed)) return false
    for (const file of await readdir(fixtureDir)) {
      await copyFile(join(fixtureDir, file), join(project, file))
    }
    // Independent of each other: run together, report in this order.
    const results = await Promise.all([
      check(() => checkModuleSystem(project, 'esm')),
      check(() => checkModuleSystem(project, 'cjs')),
      check(() => checkTypes(project, 'tsconfig.json', 'module node16')),
      check(() => checkTypes(project, 'tsconfig.bundler.json', 'module esnext + bundler')),
      check(() => checkApp(project, 'Express', 'express-app.mjs', fixture)),
      check(() => checkApp(project, 'Koa', 'koa-app.mjs', fixture)),
      check(() => checkApp(project, 'Nest', 'nest-app.mjs', fixture)),
      check(() => checkApp(project, 'Fastify', 'fastify-app.mjs', fixture)),
      check(() => checkQuickStarts(project)),
      check(() => checkCli(project, fixture)),
    ])
    return results.map(report).every(Boolean) && links
  } finally {
    await fixture.close()
  }
}

const started = performance.now()
const root = await mkdtemp(join(tmpdir(), 'keyward-pack-'))
if (await main(root)) {
  await rm(root, { recursive: true, force: true })
  console.log(`pack-and-install test passed in ${seconds(started)}`)
} else {
  console.error(`pack-and-install test failed after ${seconds(started)}; project kept in ${root}`)
  process.exitCode = 1
}
