const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses a CLI duration such as `500ms`, `2s`, `5m` or `1h` (a bare number is milliseconds)
 * into milliseconds; throws a `TypeError` naming the flag otherwise.
 *
 * @example
 * ```ts
 * parseDuration('2s', '--token-ttl') // 2000
 * ```
 */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (match === null) {
    throw new TypeError(`${flag} must be a duration like 500ms, 2s, 5m or 1h; got "${value}"`)
  }
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1))
}
