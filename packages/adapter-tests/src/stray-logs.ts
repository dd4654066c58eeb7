import { format } from 'node:util'
import { afterEach, beforeEach, expect } from 'vitest'

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const

/**
 * Fails every test of the file (call it from a vitest setup file) that writes to the console:
 * keyward's operator lines belong in the logger a test hands the verifier, a framework's error
 * log in a test that asserts it. A test that expects console output spies on the method itself
 * (`vi.spyOn(console, 'error')`), which takes precedence over this guard.
 *
 * @example
 * ```ts
 * // test/setup.ts, listed in vitest.config.ts `setupFiles`
 * failOnStrayLogs()
 * ```
 */
export function failOnStrayLogs(): void {
  const written: string[] = []
  const originals = new Map<(typeof METHODS)[number], PropertyDescriptor | undefined>()
  beforeEach(() => {
    written.length = 0
    for (const method of METHODS) {
      originals.set(method, Object.getOwnPropertyDescriptor(console, method))
      console[method] = (...args: unknown[]) => {
        written.push(`console.${method}: ${format(...args)}`)
      }
    }
  })
  afterEach(() => {
    for (const [method, original] of originals) {
      if (original === undefined) Reflect.deleteProperty(console, method)
      else Object.defineProperty(console, method, original)
    }
    expect(written, 'stray console output').toEqual([])
  })
}
