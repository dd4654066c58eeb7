// Issue 21: the README quick starts, compiled and run exactly as printed against a real OIDC
// provider (apps/dev-issuer), from the installed tarballs. A quick start that builds a URL by
// hand, answers errors as HTML, or does not type-check fails here, not in a newcomer's first hour.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** One README whose `## Quick start` is a whole program, and what to ask the server it starts. */
export interface QuickStart {
  /** The package whose README it is. */
  readonly name: string
  /** A route that needs a token and answers `{ sub, scopes }` with it. */
  readonly protectedPath: string
  /** A route the quick start leaves public, if it has one. */
  readonly publicPath?: string
  /** A POST route requiring `write:things`, which the test token does not carry. */
  readonly scopedPath?: string
  /** Whether refusals come with a JSON body (Koa's own error path answers text). */
  readonly jsonErrors: boolean
}

export const QUICK_STARTS: readonly QuickStart[] = [
  {
    name: '@keyward/core',
    protectedPath: '/',
    jsonErrors: true,
  },
  {
    name: '@keyward/express',
    protectedPath: '/api/me',
    scopedPath: '/api/things',
    jsonErrors: true,
  },
  {
    name: '@keyward/koa',
    protectedPath: '/',
    jsonErrors: false,
  },
  {
    name: '@keyward/fastify',
    protectedPath: '/me',
    publicPath: '/health',
    scopedPath: '/things',
    jsonErrors: true,
  },
  {
    name: '@keyward/nestjs',
    protectedPath: '/me',
    publicPath: '/health',
    scopedPath: '/things',
    jsonErrors: true,
  },
]

/** The issuer and audience every quick start prints. */
export const README_ISSUER = 'https://auth.example.com/'
export const README_AUDIENCE = 'https://api.example.com'
/** The port every quick start listens on. */
const README_PORT = '3000'

/**
 * The first fenced `ts` block after the `## Quick start` heading of the README in the installed
 * package (the one npm shows), as printed.
 */
export async function readQuickStart(project: string, name: string): Promise<string> {
  const readme = join(project, 'node_modules', name, 'README.md')
  const text = await readFile(readme, 'utf8')
  const match = /^## Quick start\n(?:(?!^## )[\s\S])*?^```ts\n([\s\S]*?)^```$/m.exec(text)
  if (match?.[1] === undefined) throw new Error(`${readme}: no ts block under ## Quick start`)
  return match[1]
}

/**
 * The only edits made to a printed quick start: the quoted issuer `'https://auth.example.com/'`
 * becomes the dev issuer's exact `iss` (`http://127.0.0.1:<port>`, which core accepts because
 * it is loopback), and the port `3000` a free one. The audience stays as printed: the dev issuer
 * is started with `https://api.example.com` as a resource indicator, so its tokens carry it in
 * `aud`. Everything else runs verbatim; each literal must appear as expected, and nothing of
 * `auth.example.com` may be left over (a second, hand-built issuer URL would be).
 */
export function substitute(code: string, issuer: string, port: number): string {
  const quotedIssuer = `'${README_ISSUER}'`
  if (!code.includes(quotedIssuer)) throw new Error(`the quick start does not name ${quotedIssuer}`)
  const ports = code.match(new RegExp(`\\b${README_PORT}\\b`, 'g')) ?? []
  if (ports.length !== 1)
    throw new Error(`expected the port ${README_PORT} once, found ${ports.length}`)
  const edited = code
    .replaceAll(quotedIssuer, `'${issuer}'`)
    .replace(new RegExp(`\\b${README_PORT}\\b`), String(port))
  if (edited.includes('auth.example.com')) {
    throw new Error('the quick start names auth.example.com other than as its quoted issuer')
  }
  return edited
}

/** A port nothing listens on right now, for one quick start's `listen`. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

interface Started {
  readonly stop: () => void
  readonly output: () => string
}

/** Runs a compiled quick start with `node` and waits until its port answers HTTP. */
export async function startQuickStart(
  file: string,
  cwd: string,
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<Started> {
  const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  let exited: number | null | undefined
  child.on('exit', (code) => (exited = code))
  const started: Started = { stop: () => child.kill(), output: () => output }
  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited !== undefined)
      throw new Error(`exited with ${String(exited)} before listening\n${output}`)
    try {
      await fetch(`http://127.0.0.1:${port}/`)
      return started
    } catch {
      if (Date.now() > deadline) {
        started.stop()
        throw new Error(`not listening on ${port} after 30s\n${output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

/**
 * What a newcomer checks first: no token → 401 with a bare `Bearer` challenge (RFC 6750 §3.1),
 * a JSON body where the package answers JSON; a token from the issuer → 200 with its subject
 * and scopes; a public route → 200 without a token; a scope the token lacks → 403 naming it.
 */
export async function exerciseQuickStart(
  quickStart: QuickStart,
  port: number,
  token: string,
): Promise<void> {
  const base = `http://127.0.0.1:${port}`
  const anonymous = await fetch(base + quickStart.protectedPath)
  const challenge = anonymous.headers.get('www-authenticate') ?? ''
  const type = anonymous.headers.get('content-type') ?? ''
  const body = await anonymous.text()
  if (anonymous.status !== 401 || !/^Bearer\b/.test(challenge) || challenge.includes('error=')) {
    throw new Error(
      `no token: expected 401 with a bare Bearer challenge, got ${anonymous.status} "${challenge}" ${body}`,
    )
  }
  if (quickStart.jsonErrors && (!type.startsWith('application/json') || !isJsonObject(body))) {
    throw new Error(`no token: expected a JSON body, got ${type} ${body}`)
  }
  const authorised = await fetch(base + quickStart.protectedPath, {
    headers: { authorization: `Bearer ${token}` },
  })
  const payload = await authorised.text()
  const scopes = (parse(payload) as { scopes?: unknown } | undefined)?.scopes
  if (authorised.status !== 200 || !Array.isArray(scopes) || !scopes.includes('notes:read')) {
    throw new Error(
      `with a token: expected 200 { sub, scopes: ['notes:read'] }, got ${authorised.status} ${payload}`,
    )
  }
  if (quickStart.publicPath !== undefined) {
    const open = await fetch(base + quickStart.publicPath)
    if (open.status !== 200)
      throw new Error(`${quickStart.publicPath} without a token: got ${open.status}`)
  }
  if (quickStart.scopedPath !== undefined) {
    const refused = await fetch(base + quickStart.scopedPath, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    const scopeChallenge = refused.headers.get('www-authenticate') ?? ''
    if (refused.status !== 403 || !scopeChallenge.includes('scope="write:things"')) {
      throw new Error(
        `POST ${quickStart.scopedPath} without write:things: expected 403 scope="write:things", got ${refused.status} "${scopeChallenge}"`,
      )
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function isJsonObject(text: string): boolean {
  const value = parse(text)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
