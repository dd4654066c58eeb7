import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * A strong entity tag derived from the body, so it changes exactly when the body does.
 *
 * @example
 * ```ts
 * etagFor(body) // a quoted 16-character hash, e.g. '"3q2-7wAAAAAAAAAA"'
 * ```
 */
export function etagFor(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/**
 * Hands out a `Last-Modified` date that stays fixed while the body stays the same and moves
 * forward a minute each time it changes, so `If-Modified-Since` comparisons are deterministic
 * even when keys rotate within the same second.
 *
 * @example
 * ```ts
 * const clock = new LastModifiedClock()
 * clock.stamp(body) // 'Mon, 01 Jan 2024 00:00:00 GMT'
 * ```
 */
export class LastModifiedClock {
  #body: string | undefined
  #version = 0

  /** Returns the HTTP date (RFC 9110 §5.6.7) for `body`. */
  stamp(body: string): string {
    if (this.#body !== undefined && this.#body !== body) this.#version += 1
    this.#body = body
    return new Date(Date.UTC(2024, 0, 1) + this.#version * 60_000).toUTCString()
  }
}

/**
 * Decides whether a conditional GET may be answered 304, given the validators the answer would
 * carry.
 *
 * @example
 * ```ts
 * if (isNotModified(req, etag, lastModified)) res.writeHead(304).end()
 * ```
 */
export function isNotModified(
  req: IncomingMessage,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  const ifNoneMatch = req.headers['if-none-match']
  // RFC 9110 §13.2.2: when If-None-Match is present, If-Modified-Since is ignored.
  if (ifNoneMatch !== undefined) {
    if (etag === undefined) return false
    // RFC 9110 §13.1.2: weak comparison; `*` matches any current representation.
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim())
      .some((tag) => tag === '*' || stripWeak(tag) === stripWeak(etag))
  }
  const ifModifiedSince = req.headers['if-modified-since']
  if (ifModifiedSince === undefined || lastModified === undefined) return false
  const since = Date.parse(ifModifiedSince)
  // RFC 9110 §13.1.3: an invalid date makes the condition false, so the full answer is sent.
  return !Number.isNaN(since) && Date.parse(lastModified) <= since
}
