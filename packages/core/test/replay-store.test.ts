import { describe, expect, it } from 'vitest'
import { MemoryReplayStore, ReplayStoreFullError } from '../src/replay-store.js'

describe('MemoryReplayStore', () => {
  it('claims a key once until it expires, then again', () => {
    let now = 1000
    const store = new MemoryReplayStore({ now: () => now })
    expect([store.claim('a', 2000), store.claim('a', 2000), store.claim('b', 2000)]).toEqual([
      true,
      false,
      true,
    ])
    now = 2000
    expect(store.claim('a', 3000)).toBe(true)
  })

  it('sweeps expired claims, so its size follows the live ones', () => {
    let now = 0
    const store = new MemoryReplayStore({ now: () => now })
    for (let i = 0; i < 100; i++) store.claim(`k${i}`, 10)
    now = 10
    store.claim('fresh', 20)
    expect(store.size).toBe(1)
  })

  it('refuses a claim when every held claim is live, rather than evict one', () => {
    let now = 0
    const store = new MemoryReplayStore({ maxEntries: 2, now: () => now })
    store.claim('a', 5000)
    store.claim('b', 5000)
    expect(() => store.claim('c', 5000)).toThrow(ReplayStoreFullError)
    expect(store.claim('a', 5000)).toBe(false)
    now = 5000
    expect(store.claim('c', 9000)).toBe(true)
  })

  it('looks past a long-lived claim at the front when full', () => {
    let now = 0
    const store = new MemoryReplayStore({ maxEntries: 2, now: () => now })
    store.claim('long', 100_000)
    store.claim('short', 10)
    now = 10
    expect(store.claim('next', 20)).toBe(true)
  })

  it('validates maxEntries', () => {
    expect(() => new MemoryReplayStore({ maxEntries: 0 })).toThrow(/"maxEntries"/)
  })
})
