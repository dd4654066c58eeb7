import { describe, expect, it } from 'vitest'
import { DpopNonces } from '../src/dpop-nonce.js'

describe('DpopNonces', () => {
  const secret = new Uint8Array(32).fill(7)
  const at = (time: number) => new DpopNonces({ secret, windowMs: 1000, now: () => time })

  it('issues the same nonce within a window, and every instance with the secret accepts it', () => {
    const nonce = at(5000).current()
    expect(at(5999).current()).toBe(nonce)
    expect(at(5500).accepts(nonce)).toBe(true)
  })

  it('accepts a nonce for its window and the next only', () => {
    const nonce = at(5000).current()
    expect([at(6999).accepts(nonce), at(7000).accepts(nonce), at(4999).accepts(nonce)]).toEqual([
      true,
      false,
      false,
    ])
  })

  it('refuses a nonce made with another secret, a tampered one and non-strings', () => {
    const nonce = at(5000).current()
    const other = new DpopNonces({ secret: new Uint8Array(32), windowMs: 1000, now: () => 5000 })
    const tampered = (nonce.startsWith('A') ? 'B' : 'A') + nonce.slice(1)
    expect([other.accepts(nonce), at(5000).accepts(tampered), at(5000).accepts(7)]).toEqual([
      false,
      false,
      false,
    ])
  })
})
