import type { KeywardEvent, Verifier } from '@keyward/core'
import { HealthGauges } from './health-gauges.js'
import { createEventInstruments } from './instruments.js'
import { IssuerAttribute } from './issuer-attribute.js'
import { resolveMetricsOptions, type KeywardMetricsOptions } from './options.js'
import { recordEvent } from './record-event.js'

/** What {@link keywardMetrics} returns. */
export interface KeywardMetrics {
  /**
   * Records one keyward event: pass it as the verifier's (or adapter's) `onEvent` option, or
   * call it from the `keyward:*` diagnostics channels. Never throws.
   */
  readonly onEvent: (event: KeywardEvent) => void
  /**
   * Samples `verifier.health()` into the observable gauges at each collection, and makes its
   * configured issuers eligible for the `keyward.issuer` attribute (unless `issuers` is
   * given). Returns a function that stops observing it.
   */
  readonly observe: (verifier: Verifier) => () => void
}

/**
 * OpenTelemetry metrics from keyward: counters and histograms fed by events (`onEvent`), and
 * gauges sampled from `verifier.health()` (`observe`). Options are validated here; a mistake is
 * a `TypeError` naming the option.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api'
 * import { createVerifier } from '@keyward/core'
 * import { keywardMetrics } from '@keyward/opentelemetry'
 *
 * const telemetry = keywardMetrics({ meter: metrics.getMeter('@keyward/opentelemetry') })
 * const verifier = createVerifier({ issuer, audience, onEvent: telemetry.onEvent })
 * telemetry.observe(verifier)
 * ```
 */
export function keywardMetrics(options: KeywardMetricsOptions): KeywardMetrics {
  const { meter, issuers, now } = resolveMetricsOptions(options)
  const issuer = new IssuerAttribute(issuers)
  const instruments = createEventInstruments(meter)
  const gauges = new HealthGauges(meter, issuer, now)
  return {
    onEvent: (event) => {
      try {
        recordEvent(event, instruments, issuer)
      } catch {
        // Metrics must never change an authentication outcome (keyward ignores a throwing
        // onEvent already; a diagnostics channel subscriber would crash the process).
      }
    },
    observe: (verifier) => {
      if (typeof verifier !== 'object' || typeof verifier.health !== 'function') {
        throw new TypeError('observe() takes a keyward Verifier')
      }
      issuer.add(verifier)
      gauges.add(verifier)
      return () => {
        issuer.delete(verifier)
        gauges.delete(verifier)
      }
    },
  }
}
