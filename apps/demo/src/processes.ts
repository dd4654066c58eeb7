import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** A demo app to run as a child process. */
export interface ChildSpec {
  /** Shown in logs and tables; also the log file name. */
  readonly name: string
  /** The app's folder name under `apps/`. */
  readonly app: string
  readonly args?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** The stdout line that says the app is ready. */
  readonly ready: RegExp
}

const APPS_DIR = fileURLToPath(new URL('../../', import.meta.url))
// Children run their TypeScript through tsx's loader directly (no npx/pnpm wrapper), so the pid
// we signal is the app itself and nothing outlives the tour.
const TSX_LOADER = import.meta.resolve('tsx')

/**
 * The tour's child processes: started with their output teed to a log file, awaited until their
 * ready line, and all stopped on the way out (normal exit, error or Ctrl-C).
 *
 * @example
 * ```ts
 * const group = new ProcessGroup('/tmp/logs')
 * const match = await group.start({ name: 'koa-api', app: 'koa-api', ready: /listening on (\S+)/ }, 20_000)
 * await group.stopAll()
 * ```
 */
export class ProcessGroup {
  readonly logDir: string
  readonly #children = new Map<string, { child: ChildProcess; log: WriteStream }>()

  constructor(logDir: string) {
    this.logDir = logDir
    // Ctrl-C or a supervisor's SIGTERM stops the children before the demo exits...
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        void this.stopAll().finally(() => process.exit(code))
      })
    }
    // ...and, as a last resort, a synchronous kill if the demo exits without stopAll().
    process.once('exit', () => {
      for (const { child } of this.#children.values()) child.kill('SIGKILL')
    })
  }

  /** Starts a child and resolves with the match of its ready line. */
  start(spec: ChildSpec, timeoutMs: number): Promise<RegExpExecArray> {
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`))
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, 'src/main.ts', ...(spec.args ?? [])],
      {
        cwd: join(APPS_DIR, spec.app),
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.#children.set(spec.name, { child, log })
    child.stderr.pipe(log, { end: false })
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(`${spec.name} was not ready within ${timeoutMs} ms`)
      }, timeoutMs)
      let settled = false
      const fail = (message: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(new Error(`${message}; see ${join(this.logDir, `${spec.name}.log`)}`))
      }
      createInterface({ input: child.stdout }).on('line', (line) => {
        log.write(`${line}\n`)
        const match = spec.ready.exec(line)
        if (match === null || settled) return
        settled = true
        clearTimeout(timer)
        resolve(match)
      })
      child.once('error', (error) => {
        fail(`${spec.name} failed to start: ${error.message}`)
      })
      child.once('exit', (code, signal) => {
        this.#children.delete(spec.name)
        fail(`${spec.name} exited early (${signal ?? `code ${String(code)}`})`)
      })
    })
  }

  /** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
  async stop(name: string, graceMs = 3000): Promise<void> {
    const entry = this.#children.get(name)
    if (entry === undefined) return
    const { child, log } = entry
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else
        child.once('exit', () => {
          resolve()
        })
    })
    child.kill('SIGTERM')
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
    }, graceMs)
    await exited
    clearTimeout(timer)
    this.#children.delete(name)
    log.end()
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children.keys()].map((name) => this.stop(name)))
  }
}
