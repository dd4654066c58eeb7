import { describe, expect, it } from 'vitest'
import { Circuit } from '../src/circuit.js'

function clock() {
  let now = 1_000_000
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('Circuit', () => {
  it('lets calls through until failureThreshold failures in a row', () => {
    const time = clock()
    const circuit = new Circuit(3, 5000, time.now)
    expect(circuit.failed()).toBe(false)
    expect(circuit.failed()).toBe(false)
    expect(circuit.waitMs()).toBe(0)
    expect(circuit.failed()).toBe(true)
    expect(circuit.open).toBe(true)
    expect(circuit.waitMs()).toBe(5000)
  })

  it('counts only consecutive failures: a success resets the count', () => {
    const circuit = new Circuit(2, 5000, clock().now)
    circuit.failed()
    circuit.succeeded()
    expect(circuit.failed()).toBe(false)
    expect(circuit.waitMs()).toBe(0)
  })

  it('fails fast for the cooldown, then lets one trial through at a time', () => {
    const time = clock()
    const circuit = new Circuit(1, 5000, time.now)
    circuit.failed()
    time.advance(4000)
    expect(circuit.waitMs()).toBe(1000)
    time.advance(1000)
    expect(circuit.waitMs()).toBe(0)
    // The trial is out: the others still fail fast.
    expect(circuit.waitMs()).toBeGreaterThan(0)
    expect(circuit.succeeded()).toBe(true)
    expect(circuit.open).toBe(false)
    expect(circuit.waitMs()).toBe(0)
  })

  it('opens again for a full cooldown when the trial fails', () => {
    const time = clock()
    const circuit = new Circuit(1, 5000, time.now)
    circuit.failed()
    time.advance(5000)
    expect(circuit.waitMs()).toBe(0)
    expect(circuit.failed()).toBe(true)
    expect(circuit.waitMs()).toBe(5000)
  })
})
