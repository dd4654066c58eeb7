import { UsageError } from './usage-error.js'

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses a duration flag: an integer and a unit, `500ms`, `30s`, `5m`, `1h`.
 *
 * @example
 * ```ts
 * parseDuration('5m', '--interval') // 300000
 * ```
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d{1,9})(ms|s|m|h)$/.exec(text.trim())
  const [, amount, unit] = match ?? []
  if (amount === undefined || unit === undefined) {
    throw new UsageError(`${flag}: expected a duration such as 30s or 5m, got "${text}"`)
  }
  return Number(amount) * (UNITS_MS[unit] ?? 1)
}

/**
 * A duration for people: `850 ms`, `4.2 s`, `5 m 30 s`, `2 h 5 m`.
 *
 * @example
 * ```ts
 * formatDuration(330_000) // '5 m 30 s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const totalSeconds = Math.round(ms / 1000)
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  if (hours > 0) return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} m`
  return seconds === 0 ? `${minutes} m` : `${minutes} m ${seconds} s`
}
