/**
 * Where keyward writes its few operator lines: keys that cannot be loaded or refreshed, the
 * first refusal of an issuer's tokens for an `iss` or `aud` mismatch, and a development opt-in in
 * force. `console` fits, and so do pino, winston and Nest's `Logger` (each has `warn(message)`).
 * Lines name issuers, URLs, HTTP statuses and claim values; never a token or a key.
 *
 * @example
 * ```ts
 * createVerifier({ issuer, audience, logger: pino() }) // or `logger: false` to silence it
 * ```
 */
export interface KeywardLogger {
  warn(message: string): void
}

/** The `logger` option, narrowed: an object with a `warn` method, or `false` for silence. */
export function readLogger(value: unknown, name: string): KeywardLogger | false {
  if (value === false) return false
  if (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { warn?: unknown }).warn === 'function'
  ) {
    return value as KeywardLogger
  }
  throw new TypeError(`"${name}" must be an object with a warn(message) method, or false`)
}
