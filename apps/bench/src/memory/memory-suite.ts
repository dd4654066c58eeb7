import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { MemoryReport } from './memory-process.js'

const entry = fileURLToPath(new URL('./memory-process.ts', import.meta.url))
const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url))

/**
 * Runs the memory process: `tokens` distinct valid tokens through one verifier with the
 * default verified-token cache, in a fresh process so its peak RSS is its own.
 */
export async function runMemory(tokens: number): Promise<MemoryReport> {
  const child = fork(entry, [], {
    execArgv: ['--expose-gc', '--import', import.meta.resolve('tsx')],
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig, KEYWARD_BENCH_TOKENS: String(tokens) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [report] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`memory process exited with ${String(code)} before reporting`)
    }),
  ])) as [MemoryReport]
  child.kill()
  return report
}

export type { MemoryReport }
