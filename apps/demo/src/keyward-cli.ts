import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** A finished run of the `keyward` command line. */
export interface KeywardRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

// The executable as npm installs it: `@keyward/cli`'s `bin/keyward.js` (built by `pnpm demo`).
const KEYWARD_BIN = join(
  dirname(createRequire(import.meta.url).resolve('@keyward/cli/package.json')),
  'bin/keyward.js',
)

/**
 * Runs `keyward <args>` as a child process, `stdin` written to its standard input (where
 * `keyward explain` reads the token, so it never appears on a command line).
 *
 * @example
 * ```ts
 * const run = await keyward(['audit', issuer, '--json'])
 * const report = JSON.parse(run.stdout)
 * ```
 */
export function keyward(args: readonly string[], stdin = ''): Promise<KeywardRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KEYWARD_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (status) => {
      resolve({ status, stdout, stderr })
    })
    child.stdin.end(stdin)
  })
}
