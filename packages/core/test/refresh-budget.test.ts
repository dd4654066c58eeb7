import { describe, expect, it } from 'vitest'
import { RefreshBudget } from '../src/refresh-budget.js'

describe('RefreshBudget', () => {
  it('allows its capacity at once, then refuses', () => {
    const budget = new RefreshBudget(3, 60_000)
    expect([1, 2, 3, 4, 5].map(() => budget.take(0))).toEqual([true, true, true, false, false])
  })

  it('refills in proportion to the time passed', () => {
    const budget = new RefreshBudget(2, 60_000)
    budget.take(0)
    budget.take(0)
    expect(budget.take(29_999)).toBe(false)
    expect(budget.take(30_000)).toBe(true)
    expect(budget.take(30_000)).toBe(false)
    expect(budget.take(60_000)).toBe(true)
  })

  it('never banks more than its capacity after a long quiet period', () => {
    const budget = new RefreshBudget(2, 60_000)
    budget.take(0)
    const later = 24 * 3_600_000
    expect([1, 2, 3].map(() => budget.take(later))).toEqual([true, true, false])
  })

  it('does not count the same interval twice when the clock steps back', () => {
    const budget = new RefreshBudget(1, 60_000)
    expect(budget.take(100_000)).toBe(true)
    expect(budget.take(40_000)).toBe(false)
    // 60 s after the last refill point, not after the backwards step.
    expect(budget.take(159_999)).toBe(false)
    expect(budget.take(160_000)).toBe(true)
  })
})
