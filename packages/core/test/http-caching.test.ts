import { describe, expect, it } from 'vitest'
import { freshnessFromHeaders, retryAfterFromHeaders } from '../src/http-caching.js'

const freshness = (headers: Record<string, string>) => freshnessFromHeaders(new Headers(headers))

describe('freshnessFromHeaders', () => {
  it.each<[Record<string, string>, number | undefined]>([
    [{}, undefined],
    [{ 'cache-control': 'public' }, undefined],
    [{ 'cache-control': 'max-age=300' }, 300_000],
    [{ 'cache-control': 'public, max-age=300, must-revalidate' }, 300_000],
    [{ 'cache-control': 'MAX-AGE=30' }, 30_000],
    [{ 'cache-control': 'max-age="120"' }, 120_000],
    [{ 'cache-control': 'max-age=0' }, 0],
    [{ 'cache-control': ',, max-age=5 ,' }, 5_000],
  ])('reads max-age from %o', (headers, expected) => {
    expect(freshness(headers)).toBe(expected)
  })

  it('subtracts the Age the response already has, never below zero', () => {
    expect(freshness({ 'cache-control': 'max-age=300', age: '100' })).toBe(200_000)
    expect(freshness({ 'cache-control': 'max-age=300', age: '1000' })).toBe(0)
    expect(freshness({ 'cache-control': 'max-age=300', age: 'soon' })).toBe(300_000)
  })

  it.each([
    'no-store',
    'no-cache',
    'No-Cache',
    'max-age=600, no-store',
    'no-cache, max-age=600',
    'max-age=5 x, no-store',
  ])('treats %s as zero freshness', (cacheControl) => {
    expect(freshness({ 'cache-control': cacheControl })).toBe(0)
  })

  it('ignores the qualified no-cache, which only concerns the fields it names', () => {
    expect(freshness({ 'cache-control': 'no-cache="set-cookie, x-id", max-age=60' })).toBe(60_000)
  })

  it('is not fooled by directives inside a quoted string', () => {
    expect(freshness({ 'cache-control': 'ext="no-store, max-age=1", max-age=90' })).toBe(90_000)
  })

  it.each(['max-age=-1', 'max-age=1.5', 'max-age=', 'max-age=abc', 'max-age=99999999999'])(
    'ignores an invalid %s',
    (cacheControl) => {
      expect(freshness({ 'cache-control': cacheControl })).toBeUndefined()
    },
  )

  it('does not apply s-maxage, which is for shared caches', () => {
    expect(freshness({ 'cache-control': 's-maxage=60' })).toBeUndefined()
  })
})

describe('retryAfterFromHeaders', () => {
  const now = Date.UTC(2030, 0, 1, 12)
  const retryAfter = (value: string) =>
    retryAfterFromHeaders(new Headers({ 'retry-after': value }), now)

  it('reads delay-seconds', () => {
    expect(retryAfter('120')).toBe(120_000)
    expect(retryAfter(' 0 ')).toBe(0)
  })

  it('reads an HTTP-date against the given clock, never in the past', () => {
    expect(retryAfter(new Date(now + 90_000).toUTCString())).toBe(90_000)
    expect(retryAfter('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(0)
  })

  it.each(['', 'soon', '1.5', '-1', '2030-01-01'])('ignores %j', (value) => {
    expect(retryAfter(value)).toBeUndefined()
  })

  it('is undefined without the header', () => {
    expect(retryAfterFromHeaders(new Headers(), now)).toBeUndefined()
  })
})
