import { describe, expect, it } from 'vitest'
import { RefreshBudget } from '../src/refresh-budget.js'
import { RefreshGate } from '../src/refresh-gate.js'

const backoff = { initialDelayMs: 1000, maxDelayMs: 300_000 }

function gate(options: { cooldownMs?: number; budget?: RefreshBudget; random?: number } = {}) {
  return new RefreshGate({
    cooldownMs: options.cooldownMs ?? 30_000,
    backoff,
    budget: options.budget ?? new RefreshBudget(100, 60_000),
    random: () => options.random ?? 0.5,
  })
}

describe('RefreshGate: failures and backoff', () => {
  it('is not failing and not in backoff before any fetch', () => {
    const g = gate()
    expect(g.failing).toBe(false)
    expect(g.failures).toBe(0)
    expect(g.inBackoff(0)).toBe(false)
    expect(g.retryInMs(0)).toBe(0)
  })

  it('backs off exponentially with jitter after consecutive failures', () => {
    const g = gate({ random: 0.5 })
    // Equal jitter at 0.5: three quarters of each step (1 s, 2 s, 4 s).
    expect(g.failed(10_000, undefined)).toBe(750)
    expect(g.failed(20_000, undefined)).toBe(1500)
    expect(g.failed(30_000, undefined)).toBe(3000)
    expect(g.failures).toBe(3)
    expect(g.nextAttemptAt).toBe(33_000)
    expect(g.inBackoff(32_999)).toBe(true)
    expect(g.inBackoff(33_000)).toBe(false)
    expect(g.retryInMs(31_000)).toBe(2000)
  })

  it('waits at least as long as a Retry-After, up to the backoff cap', () => {
    const g = gate()
    expect(g.failed(0, 20_000)).toBe(20_000)
    expect(g.failed(0, 3_600_000)).toBe(300_000)
  })

  it('forgets failures and backoff after a success', () => {
    const g = gate()
    g.failed(0, 20_000)
    g.succeeded()
    expect(g.failing).toBe(false)
    expect(g.failures).toBe(0)
    expect(g.inBackoff(1)).toBe(false)
    expect(g.nextAttemptAt).toBe(0)
  })
})

describe('RefreshGate: unknown key ids while fetches succeed', () => {
  it('allows one refresh per cooldown', () => {
    const g = gate({ cooldownMs: 30_000 })
    expect(g.mayRefreshForUnknownKid(0)).toBe(true)
    expect(g.mayRefreshForUnknownKid(29_999)).toBe(false)
    expect(g.mayRefreshForUnknownKid(30_000)).toBe(true)
  })

  it('spends the shared budget, and refuses when it is empty without starting a cooldown', () => {
    const budget = new RefreshBudget(1, 60_000)
    const a = gate({ cooldownMs: 0, budget })
    const b = gate({ cooldownMs: 0, budget })
    expect(a.mayRefreshForUnknownKid(0)).toBe(true)
    expect(b.mayRefreshForUnknownKid(0)).toBe(false)
    // The refused attempt did not count as a refresh: b may go as soon as the budget refills.
    expect(b.mayRefreshForUnknownKid(60_000)).toBe(true)
  })

  it('does not spend the budget inside the cooldown', () => {
    const budget = new RefreshBudget(2, 60_000)
    const g = gate({ cooldownMs: 30_000, budget })
    expect(g.mayRefreshForUnknownKid(0)).toBe(true)
    expect(g.mayRefreshForUnknownKid(1)).toBe(false)
    expect(budget.take(2)).toBe(true)
  })
})

describe('RefreshGate: unknown key ids during an outage', () => {
  it('lets a new kid probe a failing endpoint once per cooldown, inside the backoff', () => {
    const g = gate({ cooldownMs: 30_000 })
    for (let i = 0; i < 10; i++) g.failed(0, undefined) // backoff now minutes long
    expect(g.inBackoff(60_000)).toBe(true)
    expect(g.mayProbeForUnknownKid(60_000)).toBe(true)
    expect(g.mayProbeForUnknownKid(89_999)).toBe(false)
    expect(g.mayProbeForUnknownKid(90_000)).toBe(true)
  })

  it('never probes before a server Retry-After has passed', () => {
    const g = gate({ cooldownMs: 0 })
    g.failed(0, 20_000)
    expect(g.mayProbeForUnknownKid(19_999)).toBe(false)
    expect(g.mayProbeForUnknownKid(20_000)).toBe(true)
  })

  it('shares one cooldown between probes and unknown-kid refreshes', () => {
    const g = gate({ cooldownMs: 30_000 })
    expect(g.mayRefreshForUnknownKid(0)).toBe(true)
    g.failed(1000, undefined)
    expect(g.mayProbeForUnknownKid(29_999)).toBe(false)
    expect(g.mayProbeForUnknownKid(30_000)).toBe(true)
  })

  it('probes within the shared budget only', () => {
    const budget = new RefreshBudget(1, 60_000)
    const g = gate({ cooldownMs: 0, budget })
    g.failed(0, undefined)
    expect(g.mayProbeForUnknownKid(0)).toBe(true)
    expect(g.mayProbeForUnknownKid(1)).toBe(false)
  })
})
