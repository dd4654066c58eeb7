import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The executable as published: `bin/keyward.js`, which loads the build in `dist/`. */
export const KEYWARD_BIN = fileURLToPath(new URL('../../bin/keyward.js', import.meta.url))

/** A finished run of `keyward`. */
export interface CliRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Options of {@link runCli}. */
export interface RunOptions {
  /** Written to standard input, which is then closed. */
  readonly stdin?: string
  /** Added to a colourless environment. */
  readonly env?: Readonly<Record<string, string>>
}

/** The environment every run starts from: no colours, whatever the test runner has. */
function environment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra }
  if (extra.FORCE_COLOR === undefined) delete env.FORCE_COLOR
  if (extra.FORCE_COLOR !== undefined) delete env.NO_COLOR
  return env
}

/**
 * Runs the real `keyward` executable in a child process and collects its exit status and
 * output.
 *
 * @example
 * ```ts
 * const run = await runCli(['audit', issuer, '--json'])
 * expect(run.status).toBe(0)
 * ```
 */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [KEYWARD_BIN, ...args], {
    env: environment(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin.end(options.stdin ?? '')
  return collect(child)
}

function collect(child: ChildProcess): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status) => {
      resolve({ status, stdout, stderr })
    })
  })
}

/** A `keyward` process still running (`watch`), read line by line. */
export interface RunningCli {
  /** Lines of standard output so far. */
  readonly lines: readonly string[]
  /** Resolves with the first line (existing or future) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>
  /** Sends a signal (Ctrl-C is `SIGINT`). */
  signal(name: NodeJS.Signals): void
  /** Resolves when the process has exited. */
  readonly done: Promise<CliRun>
}

/**
 * Starts the real `keyward` executable and follows its standard output line by line.
 *
 * @example
 * ```ts
 * const watch = startCli(['watch', issuer, '--json'])
 * await watch.waitForLine((line) => line.includes('"keys"'))
 * watch.signal('SIGINT')
 * ```
 */
export function startCli(args: readonly string[], options: RunOptions = {}): RunningCli {
  const child = spawn(process.execPath, [KEYWARD_BIN, ...args], {
    env: environment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>()
  let partial = ''
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString()
    const complete = partial.split('\n')
    partial = complete.pop() ?? ''
    for (const line of complete) {
      lines.push(line)
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter)
          waiter.resolve(line)
        }
      }
    }
  })
  const done = collect(child)
  return {
    lines,
    waitForLine(match, timeoutMs = 15_000) {
      const found = lines.find(match)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve }
        waiters.add(waiter)
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(
            new Error(`no matching line within ${String(timeoutMs)} ms; got:\n${lines.join('\n')}`),
          )
        }, timeoutMs)
        void done.then(() => {
          clearTimeout(timer)
          if (waiters.delete(waiter))
            reject(new Error(`exited without a matching line; got:\n${lines.join('\n')}`))
        })
        const original = waiter.resolve
        waiter.resolve = (line) => {
          clearTimeout(timer)
          original(line)
        }
      })
    },
    signal(name) {
      child.kill(name)
    },
    done,
  }
}
