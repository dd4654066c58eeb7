import type { UrlInspection } from '@keyward/core'
import { finding, type CheckId, type Finding } from './audit-checks.js'
import { describeFailure } from './response-summary.js'

const SUBJECT = 'jwks'
// RFC 7517 §8.5.1 registers application/jwk-set+json; most issuers serve application/json.
const JWKS_MEDIA_TYPES = new Set(['application/json', 'application/jwk-set+json'])
/** Above this a JWK Set is "large": a few dozen keys, or certificate chains. */
const LARGE_BYTES = 64 * 1024
/** Above this an uncompressed JWK Set would gain from gzip. */
const COMPRESSIBLE_BYTES = 16 * 1024
const SLOW_MS = 1000
const MAX_AGE_SHORT_MS = 60_000
const MAX_AGE_LONG_MS = 86_400_000

const FAILURE_CHECKS = {
  network: 'jwks.unreachable',
  timeout: 'jwks.timeout',
  http_status: 'jwks.http_status',
  redirect: 'jwks.redirect',
  too_large: 'jwks.too_large',
  invalid_json: 'jwks.invalid_json',
} as const satisfies Record<Exclude<UrlInspection['failure'], 'unsafe_url' | undefined>, CheckId>

/**
 * Checks the HTTP answer of `jwks_uri`: reachable within the timeout, status, redirects, size,
 * content type, compression and cache headers (`max-age` present and sane, validators). The
 * document itself is the key checks' business.
 *
 * @example
 * ```ts
 * const findings = auditJwksResponse(await inspectUrl(jwksUri))
 * ```
 */
export function auditJwksResponse(seen: UrlInspection): Finding[] {
  if (seen.failure === 'unsafe_url') {
    // Refused before any request: the core's rule for a discovered jwks_uri. An https URL is
    // refused only for its host (internal, named by a public issuer).
    const id = seen.url.startsWith('https:')
      ? 'metadata.jwks_uri_internal'
      : 'metadata.jwks_uri_not_https'
    return [finding(id, 'metadata', `${seen.url}: ${describeFailure(seen)}`)]
  }
  if (seen.failure !== undefined) {
    const id = FAILURE_CHECKS[seen.failure]
    return [
      finding(
        id,
        id.startsWith('metadata.') ? 'metadata' : SUBJECT,
        `${seen.url}: ${describeFailure(seen)}`,
      ),
    ]
  }
  const findings: Finding[] = []
  const mediaType = seen.contentType?.split(';')[0]?.trim().toLowerCase()
  if (mediaType === undefined || !JWKS_MEDIA_TYPES.has(mediaType)) {
    findings.push(
      finding('jwks.content_type', SUBJECT, `Content-Type: ${seen.contentType ?? '(none)'}`),
    )
  }
  const bytes = seen.bodyBytes ?? 0
  if (bytes > LARGE_BYTES) {
    findings.push(finding('jwks.large', SUBJECT, `${String(bytes)} bytes`))
  }
  if (bytes > COMPRESSIBLE_BYTES && seen.contentEncoding === undefined) {
    findings.push(
      finding('jwks.not_compressed', SUBJECT, `${String(bytes)} bytes without Content-Encoding`),
    )
  }
  if (seen.durationMs > SLOW_MS) {
    findings.push(finding('jwks.slow', SUBJECT, `${String(seen.durationMs)} ms`))
  }
  findings.push(...cacheFindings(seen))
  return findings
}

function cacheFindings(seen: UrlInspection): Finding[] {
  const cacheControl = seen.headers['cache-control']
  const shown =
    cacheControl === undefined ? 'no Cache-Control header' : `Cache-Control: ${cacheControl}`
  const findings: Finding[] = []
  // The freshness keyward itself reads (max-age minus Age, no-store and no-cache as zero).
  const freshness = seen.freshnessMs
  if (freshness === undefined) {
    findings.push(finding('jwks.max_age_missing', SUBJECT, shown))
  } else if (freshness < MAX_AGE_SHORT_MS) {
    findings.push(finding('jwks.max_age_short', SUBJECT, shown))
  } else if (freshness > MAX_AGE_LONG_MS) {
    findings.push(finding('jwks.max_age_long', SUBJECT, shown))
  }
  if (seen.headers.etag === undefined && seen.headers['last-modified'] === undefined) {
    findings.push(finding('jwks.validators_missing', SUBJECT, 'neither ETag nor Last-Modified'))
  }
  return findings
}
