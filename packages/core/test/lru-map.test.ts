import { describe, expect, it } from 'vitest'
import { LruMap } from '../src/lru-map.js'

function lru(capacity: number, keep: (value: string) => boolean = () => false) {
  const evicted: string[] = []
  const map = new LruMap<string, string>(capacity, {
    evict: (key) => evicted.push(key),
    keep,
  })
  return { map, evicted }
}

describe('LruMap', () => {
  it('evicts the least recently inserted entry when one more than the capacity is added', () => {
    const { map, evicted } = lru(2)
    map.set('a', 'A')
    map.set('b', 'B')
    map.set('c', 'C')
    expect(evicted).toEqual(['a'])
    expect([...map.values()]).toEqual(['B', 'C'])
  })

  it('counts a get as a use, so the entry read last survives', () => {
    const { map, evicted } = lru(2)
    map.set('a', 'A')
    map.set('b', 'B')
    expect(map.get('a')).toBe('A')
    map.set('c', 'C')
    expect(evicted).toEqual(['b'])
  })

  it('does not count a peek as a use', () => {
    const { map, evicted } = lru(2)
    map.set('a', 'A')
    map.set('b', 'B')
    expect(map.peek('a')).toBe('A')
    map.set('c', 'C')
    expect(evicted).toEqual(['a'])
  })

  it('passes over kept entries and evicts the coldest other one', () => {
    const { map, evicted } = lru(2, (value) => value === 'A')
    map.set('a', 'A')
    map.set('b', 'B')
    map.set('c', 'C')
    expect(evicted).toEqual(['b'])
    expect(map.size).toBe(2)
  })

  it('grows beyond the capacity rather than evict a kept entry or the new one', () => {
    const { map, evicted } = lru(1, () => true)
    map.set('a', 'A')
    map.set('b', 'B')
    map.set('c', 'C')
    expect(evicted).toEqual([])
    expect(map.size).toBe(3)
  })

  it('does not report an explicit delete as an eviction', () => {
    const { map, evicted } = lru(1)
    map.set('a', 'A')
    expect(map.delete('a')).toBe(true)
    map.set('b', 'B')
    expect(evicted).toEqual([])
  })
})
