/**
 * The `q` quantile (0..1) of `values` by nearest rank; sorts a copy.
 *
 * @example
 * ```ts
 * quantile([3, 1, 2], 0.5) // 2
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort()
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] ?? Number.NaN
}

/**
 * The median of `values`.
 *
 * @example
 * ```ts
 * median([5, 1, 3]) // 3
 * ```
 */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5)
}

/**
 * Concatenates latency samples of several rounds.
 *
 * @example
 * ```ts
 * pool([Float64Array.of(1), Float64Array.of(2)]).length // 2
 * ```
 */
export function pool(rounds: readonly Float64Array[]): Float64Array {
  const total = rounds.reduce((sum, round) => sum + round.length, 0)
  const all = new Float64Array(total)
  let offset = 0
  for (const round of rounds) {
    all.set(round, offset)
    offset += round.length
  }
  return all
}
