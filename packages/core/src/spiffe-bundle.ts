import { clipUrl, type EventSink } from './events.js'
import { FetchFailure } from './fetch-json.js'
import type { KeyDocumentProfile, KeyDocumentReading } from './key-document.js'

/** What a {@link SpiffeBundle} reports under. */
export interface SpiffeBundleSettings {
  /** The trust domain name: `example.org`. */
  readonly trustDomain: string
  /** Where the bundle comes from, for events: the bundle endpoint, or a name for a static one. */
  readonly source: string
  readonly events: EventSink
}

/**
 * Reads SPIFFE bundles (SPIFFE Trust Domain and Bundle §4) for a key source: the keys are a JWK
 * Set where only `use: "jwt-svid"` keys verify, `spiffe_refresh_hint` (§4.1.2, seconds) sets
 * the refresh interval and `spiffe_sequence` (§4.1.1) is reported when it changes, and loudly
 * when it goes down. A bundle whose sequence or hint is not a non-negative integer is malformed
 * (`invalid_shape`): the last good bundle stays in use.
 *
 * Sequence numbers are JSON numbers read as JavaScript numbers: exact up to 2^53, which a
 * counter incremented per update does not reach.
 *
 * @example
 * ```ts
 * const bundle = new SpiffeBundle({ trustDomain: 'example.org', source: url, events })
 * new JwksKeySource({ ...settings, document: bundle })
 * ```
 */
export class SpiffeBundle implements KeyDocumentProfile {
  readonly keyUse = 'jwt-svid'
  readonly #settings: SpiffeBundleSettings
  #sequence: number | undefined
  #freshnessMs: number | undefined
  #adoptedOnce = false

  constructor(settings: SpiffeBundleSettings) {
    this.#settings = settings
  }

  get freshnessMs(): number | undefined {
    return this.#freshnessMs
  }

  /** The sequence number of the bundle in use, if it had one. */
  get sequence(): number | undefined {
    return this.#sequence
  }

  read(document: unknown): KeyDocumentReading {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new FetchFailure('invalid_shape')
    }
    const sequence = wholeNumber(Reflect.get(document, 'spiffe_sequence'))
    const hintSeconds = wholeNumber(Reflect.get(document, 'spiffe_refresh_hint'))
    const refreshHintMs = hintSeconds === undefined ? undefined : hintSeconds * 1000
    return {
      freshnessMs: refreshHintMs,
      adopted: () => {
        this.#adopted(sequence, refreshHintMs)
      },
    }
  }

  #adopted(sequence: number | undefined, refreshHintMs: number | undefined): void {
    const previous = this.#sequence
    const first = !this.#adoptedOnce
    this.#adoptedOnce = true
    this.#sequence = sequence
    this.#freshnessMs = refreshHintMs
    if (!first && sequence === previous) return
    const ids = {
      issuer: `spiffe://${this.#settings.trustDomain}`,
      jwksUri: clipUrl(this.#settings.source),
      trustDomain: this.#settings.trustDomain,
    }
    if (sequence !== undefined && previous !== undefined && sequence < previous) {
      this.#settings.events.emit({
        type: 'spiffe_bundle_sequence_regressed',
        ...ids,
        sequence,
        previousSequence: previous,
      })
    }
    this.#settings.events.emit({
      type: 'spiffe_bundle_updated',
      ...ids,
      sequence,
      previousSequence: previous,
      refreshHintMs,
    })
  }
}

/** An absent member, or a non-negative integer; anything else makes the bundle malformed. */
function wholeNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new FetchFailure('invalid_shape')
  }
  return value
}
