import { originOf } from './fetch-headers.js'

/** What a pin decided about the `jwks_uri` of one metadata document. */
export type PinVerdict =
  /** The first good discovery: this URI is now pinned. */
  | { readonly kind: 'pinned' }
  | { readonly kind: 'unchanged' }
  /** A change to an allowed place: the new URI is pinned. */
  | { readonly kind: 'followed'; readonly previous: string }
  /**
   * A change to (or a first discovery on) an origin that is not allowed: the pin stays.
   * `firstSeen`: this URI was not already the refused one, so it is news worth an event.
   */
  | {
      readonly kind: 'refused'
      readonly previous: string | undefined
      readonly firstSeen: boolean
    }

/** A `jwks_uri` refused by the pin, and since when (epoch milliseconds). */
export interface RefusedJwksUri {
  readonly uri: string
  readonly since: number
}

export interface JwksUriPinSettings {
  readonly issuer: string
  /** `jwksOrigins`: origins besides the issuer's own trusted with its keys. */
  readonly allowedOrigins: ReadonlySet<string>
  readonly now: () => number
}

/**
 * Remembers the `jwks_uri` an issuer's metadata named and decides whether a different one is
 * followed. A change within the pinned origin, or to the issuer's own origin or one listed in
 * `jwksOrigins`, is followed; a move anywhere else is refused, so whoever can change one
 * metadata response (a compromised CDN rule, a cache-poisoned answer) cannot hand key
 * selection to a host of theirs. The first discovery may name any origin (Google's issuer
 * `https://accounts.google.com` publishes keys on `https://www.googleapis.com`) unless
 * `jwksOrigins` is given: then it too must be the issuer's origin or a listed one.
 *
 * @example
 * ```ts
 * const pin = new JwksUriPin({ issuer, allowedOrigins: new Set(), now: Date.now })
 * pin.judge('https://www.googleapis.com/oauth2/v3/certs') // { kind: 'pinned' }
 * pin.judge('https://evil.example/jwks') // { kind: 'refused', previous: '…', firstSeen: true }
 * ```
 */
export class JwksUriPin {
  readonly #settings: JwksUriPinSettings
  readonly #issuerOrigin: string | undefined
  #pinned: string | undefined
  #refused: RefusedJwksUri | undefined

  constructor(settings: JwksUriPinSettings) {
    this.#settings = settings
    this.#issuerOrigin = originOf(settings.issuer)
  }

  /** The refused URI while metadata keeps naming it, for `health()`. */
  get refused(): RefusedJwksUri | undefined {
    return this.#refused
  }

  judge(uri: string): PinVerdict {
    const previous = this.#pinned
    if (uri === previous) {
      this.#refused = undefined
      return { kind: 'unchanged' }
    }
    const origin = originOf(uri)
    const allowed =
      origin !== undefined &&
      (origin === this.#issuerOrigin ||
        this.#settings.allowedOrigins.has(origin) ||
        (previous === undefined
          ? this.#settings.allowedOrigins.size === 0
          : origin === originOf(previous)))
    if (!allowed) {
      const firstSeen = this.#refused?.uri !== uri
      if (firstSeen) this.#refused = { uri, since: this.#settings.now() }
      return { kind: 'refused', previous, firstSeen }
    }
    this.#pinned = uri
    this.#refused = undefined
    return previous === undefined ? { kind: 'pinned' } : { kind: 'followed', previous }
  }
}
