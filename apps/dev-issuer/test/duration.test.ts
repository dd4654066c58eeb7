import { describe, expect, it } from 'vitest'
import { parseDuration } from '../src/duration.js'

describe('parseDuration', () => {
  it('reads ms, s, m and h suffixes and treats a bare number as milliseconds', () => {
    expect(parseDuration('250ms', '--x')).toBe(250)
    expect(parseDuration('1.5s', '--x')).toBe(1500)
    expect(parseDuration('2m', '--x')).toBe(120_000)
    expect(parseDuration('1h', '--x')).toBe(3_600_000)
    expect(parseDuration('40', '--x')).toBe(40)
  })

  it('throws a TypeError naming the flag for anything else', () => {
    expect(() => parseDuration('soon', '--token-ttl')).toThrow(/--token-ttl/)
    expect(() => parseDuration('-1s', '--token-ttl')).toThrow(TypeError)
  })
})
