import { describe, expect, it } from 'vitest'
import { clampFreshness, FreshnessWindow } from '../src/freshness-window.js'

const bounds = { cacheMaxAgeMs: 600_000, cacheFloorMs: 60_000, cacheCeilingMs: 3_600_000 }

function window(random = 0.5) {
  return new FreshnessWindow({ ...bounds, maxStaleMs: 86_400_000, random: () => random })
}

describe('clampFreshness', () => {
  it('uses cacheMaxAgeMs when the response says nothing', () => {
    expect(clampFreshness(bounds, undefined)).toBe(600_000)
  })

  it('honours a max-age between the bounds', () => {
    expect(clampFreshness(bounds, 300_000)).toBe(300_000)
  })

  it('raises no-store and tiny max-ages to the floor, and caps long ones at the ceiling', () => {
    expect(clampFreshness(bounds, 0)).toBe(60_000)
    expect(clampFreshness(bounds, 59_999)).toBe(60_000)
    expect(clampFreshness(bounds, 86_400_000)).toBe(3_600_000)
  })
})

describe('FreshnessWindow', () => {
  it('is neither fresh nor usable before its first renewal', () => {
    const w = window()
    expect(w.isFresh(0)).toBe(false)
    expect(w.isUsable(0)).toBe(false)
  })

  it('is fresh for the clamped lifetime, then usable for maxStaleMs more', () => {
    const w = window()
    expect(w.renew(1000, 0)).toBe(60_000)
    expect(w.isFresh(60_999)).toBe(true)
    expect(w.isFresh(61_000)).toBe(false)
    expect(w.staleForMs(71_000)).toBe(10_000)
    expect(w.isUsable(61_000 + 86_400_000 - 1)).toBe(true)
    expect(w.isUsable(61_000 + 86_400_000)).toBe(false)
  })

  it('plans the refresh at a jittered point in the last quarter of the lifetime', () => {
    for (const [random, share] of [
      [0, 0.75],
      [0.5, 0.85],
      [1, 0.95],
    ] as const) {
      const w = window(random)
      w.renew(0, 600_000)
      expect(w.refreshAt).toBeCloseTo(600_000 * share)
      expect(w.refreshDue(w.refreshAt - 1)).toBe(false)
      expect(w.refreshDue(w.refreshAt)).toBe(true)
    }
  })

  it('reports the start of a stale period once, and its length when it ends', () => {
    const w = window()
    w.renew(0, 600_000)
    expect(w.noticeStale(599_999)).toBeUndefined()
    expect(w.noticeStale(700_000)).toBe(600_000)
    expect(w.noticeStale(800_000)).toBeUndefined()
    expect(w.staleSince).toBe(600_000)
    expect(w.endStale(900_000)).toBe(300_000)
    expect(w.staleSince).toBeUndefined()
    expect(w.endStale(950_000)).toBeUndefined()
  })

  it('counts an expiry nobody noticed from the end of freshness', () => {
    const w = window()
    w.renew(0, 600_000)
    expect(w.endStale(600_000 + 86_400_000, true)).toBe(86_400_000)
  })
})
