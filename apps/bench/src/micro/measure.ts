import type { Contender } from './contender.js'

/** One timed round: throughput and per-operation latencies in milliseconds. */
export interface Round {
  readonly opsPerSec: number
  /**
   * Operations per second of this process's CPU time (all its threads). Unlike wall-clock
   * rates it barely moves when other processes compete for the cores.
   */
  readonly opsPerCpuSec: number
  readonly latenciesMs: Float64Array
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

/**
 * Runs `ops` verifications one after another. One clock read per operation gives both the
 * latency (time since the previous completion) and the throughput, so the timing overhead is
 * the same for every contender, floor included.
 */
export async function runSequential<T>(
  contender: Contender<T>,
  tokens: readonly T[],
  ops: number,
  offset = 0,
): Promise<Round> {
  const latencies = new Float64Array(ops)
  const count = tokens.length
  const cpu = process.cpuUsage()
  const start = performance.now()
  let previous = start
  if (contender.sync) {
    for (let i = 0; i < ops; i++) {
      contender.verify(tokens[(offset + i) % count] as T)
      const now = performance.now()
      latencies[i] = now - previous
      previous = now
    }
  } else {
    for (let i = 0; i < ops; i++) {
      await contender.verify(tokens[(offset + i) % count] as T)
      const now = performance.now()
      latencies[i] = now - previous
      previous = now
    }
  }
  return {
    opsPerSec: (ops * 1000) / (previous - start),
    opsPerCpuSec: ops / cpuSeconds(cpu),
    latenciesMs: latencies,
  }
}

/**
 * Runs `ops` verifications with `inFlight` of them outstanding at any time, like a server
 * with that many concurrent requests. Latency is from call to settlement.
 */
export async function runConcurrent<T>(
  contender: Contender<T>,
  tokens: readonly T[],
  ops: number,
  inFlight: number,
  offset = 0,
): Promise<Round> {
  const latencies = new Float64Array(ops)
  const count = tokens.length
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < ops) {
      const i = next++
      const begin = performance.now()
      await contender.verify(tokens[(offset + i) % count] as T)
      latencies[i] = performance.now() - begin
    }
  }
  const cpu = process.cpuUsage()
  const start = performance.now()
  await Promise.all(Array.from({ length: inFlight }, worker))
  return {
    opsPerSec: (ops * 1000) / (performance.now() - start),
    opsPerCpuSec: ops / cpuSeconds(cpu),
    latenciesMs: latencies,
  }
}

/**
 * Warms a contender up for about `durationMs` and returns its sequential rate, used to size
 * the rounds so every contender runs for about the same time, and how many tokens it used.
 */
export async function warmUp<T>(
  contender: Contender<T>,
  tokens: readonly T[],
  durationMs: number,
): Promise<{ readonly opsPerSec: number; readonly ops: number }> {
  const start = performance.now()
  let ops = 0
  let batch = 16
  while (performance.now() - start < durationMs) {
    await runSequential(contender, tokens, batch, ops)
    ops += batch
    batch = Math.min(batch * 2, 4096)
  }
  return { opsPerSec: (ops * 1000) / (performance.now() - start), ops }
}
