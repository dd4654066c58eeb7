import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../src/duration.js'
import { UsageError } from '../src/usage-error.js'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text, '--interval')).toBe(ms)
  })

  it.each(['', '5', '1.5s', '-1s', '5 m', '1d', 'soon'])('refuses %j as a usage error', (text) => {
    expect(() => parseDuration(text, '--interval')).toThrow(UsageError)
  })
})

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [4_200, '4.2 s'],
    [42_000, '42 s'],
    [330_000, '5 m 30 s'],
    [7_500_000, '2 h 5 m'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
