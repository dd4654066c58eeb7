/**
 * Freshness a JWKS (or metadata) response asks for: RFC 9111 §5.2.2 `max-age` minus `Age`
 * (§5.1), and `no-store` / `no-cache` as zero. `undefined` when the response says nothing.
 * keyward is a private cache, so `s-maxage` does not apply. The caller clamps the result.
 */
export function freshnessFromHeaders(headers: Headers): number | undefined {
  const cacheControl = headers.get('cache-control')
  if (cacheControl === null) return undefined
  let maxAgeMs: number | undefined
  for (const { name, value } of parseDirectives(cacheControl)) {
    if (name === 'no-store') return 0
    // RFC 9111 §5.2.2.4: the qualified form `no-cache="field"` only concerns those header
    // fields; the unqualified form means "revalidate before every use".
    if (name === 'no-cache' && (value === undefined || value === '')) return 0
    if (name === 'max-age' && value !== undefined) {
      const seconds = parseDeltaSeconds(value)
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
  // RFC 9110 §5.6.7: every HTTP-date form names a day and a month. `Date.parse` alone would
  // also take "1.5" or "-1" as dates.
  if (!/^[A-Za-z]{3}/.test(value)) return undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/**
 * Splits a `Cache-Control` value into directives (RFC 9111 §5.2): comma-separated
 * `token[=(token|quoted-string)]`, where a quoted string may itself contain commas. Empty list
 * elements are allowed (RFC 9110 §5.6.1); a malformed element is skipped up to the next comma,
 * so it cannot hide a `no-store` after it.
 */
function parseDirectives(field: string): { name: string; value: string | undefined }[] {
  const directives: { name: string; value: string | undefined }[] = []
  const element = /\s*([^\s=,"]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*)))?\s*(?=,|$)/y
  let at = 0
  while (at < field.length) {
    element.lastIndex = at
    const match = element.exec(field)
    if (match !== null) {
      const [whole, name = '', quoted, bare] = match
      directives.push({ name: name.toLowerCase(), value: quoted?.replace(/\\(.)/g, '$1') ?? bare })
      at += whole.length
    }
    const comma = field.indexOf(',', at)
    if (comma === -1) break
    at = comma + 1
  }
  return directives
}

// RFC 9111 §1.2.2: delta-seconds is 1*DIGIT.
function parseDeltaSeconds(value: string): number | undefined {
  return /^\d{1,10}$/.test(value) ? Number(value) : undefined
}
