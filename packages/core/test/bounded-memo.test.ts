import { describe, expect, it } from 'vitest'
import { BoundedMemo } from '../src/bounded-memo.js'

describe('BoundedMemo', () => {
  it('returns what was remembered under the exact key', () => {
    const memo = new BoundedMemo<number>(4)
    memo.remember('a', 1)
    expect([memo.get('a'), memo.get('A'), memo.get('b')]).toEqual([1, undefined, undefined])
  })

  it('starts over when full instead of growing', () => {
    const memo = new BoundedMemo<number>(2)
    memo.remember('a', 1)
    memo.remember('b', 2)
    memo.remember('c', 3)
    expect([memo.get('a'), memo.get('b'), memo.get('c'), memo.size]).toEqual([
      undefined,
      undefined,
      3,
      1,
    ])
  })
})
