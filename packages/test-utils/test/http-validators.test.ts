import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { etagFor, isNotModified, LastModifiedClock } from '../src/http-validators.js'

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage
}

describe('HTTP validators', () => {
  it('derives a quoted entity tag that changes with the body', () => {
    expect(etagFor('a')).toMatch(/^"[\w-]{16}"$/)
    expect(etagFor('a')).toBe(etagFor('a'))
    expect(etagFor('a')).not.toBe(etagFor('b'))
  })

  it('keeps Last-Modified while the body stays and advances it when the body changes', () => {
    const clock = new LastModifiedClock()
    const first = clock.stamp('a')
    expect(clock.stamp('a')).toBe(first)
    const second = clock.stamp('b')
    expect(Date.parse(second)).toBeGreaterThan(Date.parse(first))
    // Going back to an earlier body is still a change.
    expect(Date.parse(clock.stamp('a'))).toBeGreaterThan(Date.parse(second))
  })

  it('lets If-None-Match win over If-Modified-Since', () => {
    const lastModified = 'Mon, 01 Jan 2024 00:00:00 GMT'
    const req = request({ 'if-none-match': '"other"', 'if-modified-since': lastModified })
    expect(isNotModified(req, '"tag"', lastModified)).toBe(false)
  })

  it('matches the wildcard entity tag', () => {
    expect(isNotModified(request({ 'if-none-match': '*' }), '"tag"', undefined)).toBe(true)
  })

  it('sends the full answer for an invalid or older If-Modified-Since date', () => {
    const lastModified = 'Mon, 01 Jan 2024 00:01:00 GMT'
    const invalid = request({ 'if-modified-since': 'yesterday-ish' })
    expect(isNotModified(invalid, undefined, lastModified)).toBe(false)
    const older = request({ 'if-modified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' })
    expect(isNotModified(older, undefined, lastModified)).toBe(false)
  })
})
