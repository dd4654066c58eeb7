import { createVerifier } from '@keyward/core'
import { describe, expect, it } from 'vitest'
import { keywardMetrics, type KeywardMetricsOptions } from '../src/index.js'
import { startTelemetry } from './support/telemetry.js'

const telemetry = await startTelemetry()
const { meter } = telemetry

function attempt(options: unknown): () => unknown {
  return () => keywardMetrics(options as KeywardMetricsOptions)
}

describe('options', () => {
  it('accepts a meter alone, and with issuers and a clock', () => {
    expect(keywardMetrics({ meter }).onEvent).toBeTypeOf('function')
    const { observe } = keywardMetrics({ meter, issuers: ['https://a.example/'], now: () => 0 })
    expect(observe).toBeTypeOf('function')
  })

  it.each([
    ['no options', undefined, /options object/],
    ['no meter', {}, /"meter" is required/],
    ['a meter that is not one', { meter: { createCounter: () => undefined } }, /"meter" is not/],
    ['issuers as a string', { meter, issuers: 'https://a.example/' }, /"issuers"/],
    ['an empty issuer', { meter, issuers: [''] }, /"issuers"/],
    ['a clock that is not a function', { meter, now: 0 }, /"now"/],
    ['a misspelt option', { meter, issuer: ['https://a.example/'] }, /"issuer" is not an option/],
  ])('throws a TypeError naming the option for %s', (_name, options, message) => {
    expect(attempt(options)).toThrow(TypeError)
    expect(attempt(options)).toThrow(message)
  })

  it('refuses to observe something that is not a verifier', () => {
    const metrics = keywardMetrics({ meter })
    expect(() => metrics.observe({} as never)).toThrow(TypeError)
    const verifier = createVerifier({
      issuer: 'https://issuer.example/',
      audience: 'https://api.example',
    })
    try {
      expect(metrics.observe(verifier)).toBeTypeOf('function')
    } finally {
      verifier.close()
    }
  })
})
