import fc from 'fast-check'
import type { FuzzTarget } from './targets.js'

/**
 * Runs `target` as a fast-check property: every case must hold and finish within `maxCaseMs`
 * (generous: CI machines are shared; the long `fuzz` run reports the real maximum).
 */
export async function assertTarget<T>(
  target: FuzzTarget<T>,
  numRuns: number,
  maxCaseMs = 1000,
): Promise<{ slowestMs: number }> {
  let slowestMs = 0
  await fc.assert(
    fc.asyncProperty(target.arbitrary, async (value) => {
      const started = performance.now()
      const violation = await target.check(value)
      const ms = performance.now() - started
      slowestMs = Math.max(slowestMs, ms)
      if (violation !== undefined) throw new Error(`${violation.kind}: ${violation.detail}`)
      if (ms > maxCaseMs) throw new Error(`one case took ${ms.toFixed(1)} ms`)
    }),
    { numRuns },
  )
  return { slowestMs }
}
