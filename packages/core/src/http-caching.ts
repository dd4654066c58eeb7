/**
 * Freshness a JWKS (or metadata) response asks for: RFC 9111 §5.2.2 `max-age` minus `Age`
 * (§5.1), and `no-store` / `no-cache` as zero. `undefined` when the response says nothing.
 * keyward is a private cache, so `s-maxage` does not apply. The caller clamps the result.
 */
export function freshnessFromHeaders(headers: Headers): number | undefined {
  const cacheControl = headers.get('cache-control')
  if (cacheControl === null) return undefined
  let maxAgeMs: number | undefined
  for (const directive of cacheControl.split(',')) {
    const [rawName = '', rawValue] = directive.split('=', 2)
    const name = rawName.trim().toLowerCase()
    if (name === 'no-store' || name === 'no-cache') return 0
    if (name === 'max-age' && rawValue !== undefined) {
      const seconds = parseDeltaSeconds(rawValue.trim().replace(/^"(.*)"$/, '$1'))
      if (seconds !== undefined) maxAgeMs = seconds * 1000
    }
  }
  if (maxAgeMs === undefined) return undefined
  const age = parseDeltaSeconds(headers.get('age') ?? '')
  return Math.max(0, maxAgeMs - (age ?? 0) * 1000)
}

/**
 * RFC 9110 §10.2.3 `Retry-After`: delay-seconds or an HTTP-date, as milliseconds from `nowMs`.
 */
export function retryAfterFromHeaders(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after')?.trim()
  if (value === undefined || value === '') return undefined
  const seconds = parseDeltaSeconds(value)
  if (seconds !== undefined) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

// RFC 9111 §1.2.2: delta-seconds is 1*DIGIT.
function parseDeltaSeconds(value: string): number | undefined {
  return /^\d{1,10}$/.test(value) ? Number(value) : undefined
}
