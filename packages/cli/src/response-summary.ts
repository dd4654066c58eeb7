import type { InspectionFailure, UrlInspection } from '@keyward/core'

/** One HTTP exchange as the audit reports it (text and `--json`). */
export interface ResponseSummary {
  readonly url: string
  readonly status: number | null
  /** Why keyward would not use the answer, or `null`. */
  readonly failure: InspectionFailure | null
  /** For `network` failures: the system or TLS error code. */
  readonly errorCode: string | null
  readonly contentType: string | null
  readonly contentEncoding: string | null
  /** `Content-Length` as sent. */
  readonly declaredBytes: number | null
  /** Body bytes after decompression (a lower bound when `failure` is `too_large`). */
  readonly bodyBytes: number | null
  readonly durationMs: number
  readonly cacheControl: string | null
  readonly etag: string | null
  readonly lastModified: string | null
  /** A redirect's target, never followed. */
  readonly location: string | null
}

/**
 * The facts of an inspection worth reporting, `null` for what was absent (JSON has no
 * `undefined`).
 *
 * @example
 * ```ts
 * summarize(await inspectUrl(jwksUri)).cacheControl // 'public, max-age=300'
 * ```
 */
export function summarize(seen: UrlInspection): ResponseSummary {
  return {
    url: seen.url,
    status: seen.status ?? null,
    failure: seen.failure ?? null,
    errorCode: seen.errorCode ?? null,
    contentType: seen.contentType ?? null,
    contentEncoding: seen.contentEncoding ?? null,
    declaredBytes: seen.declaredBytes ?? null,
    bodyBytes: seen.bodyBytes ?? null,
    durationMs: seen.durationMs,
    cacheControl: seen.headers['cache-control'] ?? null,
    etag: seen.headers.etag ?? null,
    lastModified: seen.headers['last-modified'] ?? null,
    location: seen.location ?? null,
  }
}

/**
 * Why an answer was not usable, in a few words: `404`, `redirect 302 to …`, `timeout after 5 s`.
 *
 * @example
 * ```ts
 * describeFailure(seen) // 'network error (ECONNREFUSED)'
 * ```
 */
export function describeFailure(seen: UrlInspection): string {
  switch (seen.failure) {
    case undefined:
      return String(seen.status)
    case 'unsafe_url':
      return 'not fetched: keyward does not fetch from this URL (see the finding)'
    case 'network':
      return `network error${seen.errorCode === undefined ? '' : ` (${seen.errorCode})`}`
    case 'timeout':
      return `no complete answer within ${String(seen.durationMs)} ms`
    case 'http_status':
      return `status ${String(seen.status)}`
    case 'redirect':
      return `redirect ${String(seen.status)} to ${seen.location ?? '(no Location)'}`
    case 'too_large':
      return seen.bodyBytes !== undefined && seen.bodyBytes > 0
        ? `body over the size cap (reading stopped after ${String(seen.bodyBytes)} bytes)`
        : `body over the size cap (Content-Length ${String(seen.declaredBytes)})`
    case 'invalid_json':
      return `not JSON (${seen.contentType ?? 'no content type'})`
  }
}
