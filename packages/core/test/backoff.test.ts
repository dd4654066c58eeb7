import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../src/backoff.js'

const policy = { initialDelayMs: 1000, maxDelayMs: 300_000 }
const fixed = (value: number) => () => value

describe('backoffDelay', () => {
  it('starts at 1 s and doubles up to the 5-minute cap', () => {
    const top = Array.from({ length: 12 }, (_, i) => backoffDelay(policy, i + 1, fixed(0.999999)))
    expect(top.map(Math.round)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000,
    ])
  })

  it('jitters each delay between half the step and the whole step', () => {
    for (let failures = 1; failures <= 12; failures++) {
      const step = Math.min(300_000, 1000 * 2 ** (failures - 1))
      expect(backoffDelay(policy, failures, fixed(0))).toBe(step / 2)
      expect(backoffDelay(policy, failures, fixed(0.5))).toBe(step * 0.75)
      const delays = new Set(
        Array.from({ length: 50 }, () => backoffDelay(policy, failures, Math.random)),
      )
      expect(delays.size).toBeGreaterThan(1)
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(step / 2)
        expect(delay).toBeLessThan(step)
      }
    }
  })

  it('does not overflow after very many failures', () => {
    expect(backoffDelay(policy, 10_000, fixed(0.5))).toBe(225_000)
  })

  it('waits for a longer Retry-After', () => {
    expect(backoffDelay(policy, 1, fixed(0.5), 120_000)).toBe(120_000)
  })

  it('caps Retry-After at the maximum delay', () => {
    expect(backoffDelay(policy, 1, fixed(0.5), 86_400_000)).toBe(300_000)
  })

  it('never retries sooner than the schedule because of a short Retry-After', () => {
    expect(backoffDelay(policy, 5, fixed(0.5), 1000)).toBe(12_000)
    expect(backoffDelay(policy, 1, fixed(0.5), 0)).toBe(750)
  })

  it('follows a configured policy', () => {
    const custom = { initialDelayMs: 200, maxDelayMs: 1000 }
    const delays = [1, 2, 3, 4, 5].map((n) => backoffDelay(custom, n, fixed(0)))
    expect(delays).toEqual([100, 200, 400, 500, 500])
  })
})
