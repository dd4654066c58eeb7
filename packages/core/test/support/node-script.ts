import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** What a script printed and how its process ended. */
export interface ScriptResult {
  /** The exit code; `'timeout'` when it was killed after 10 s. */
  readonly exited: number | null | 'timeout'
  readonly stdout: string
  readonly stderr: string
}

/** The absolute path of core's `src/index.ts`, for scripts to import. */
export const CORE_INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url))

/**
 * Runs `source` (TypeScript, an ES module) in a fresh Node process, for behaviour a test runner
 * hides: whether timers hold a process open, what reaches `uncaughtException`.
 */
export async function runScript(source: string): Promise<ScriptResult> {
  const dir = await mkdtemp(join(tmpdir(), 'keyward-script-'))
  const script = join(dir, 'script.mts')
  await writeFile(script, source)
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = await new Promise<number | null | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve('timeout')
      }, 10_000)
      child.on('exit', (code) => {
        clearTimeout(timer)
        resolve(code)
      })
    })
    return { exited, stdout, stderr }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
