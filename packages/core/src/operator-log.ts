import type { KeywardErrorCode } from './errors.js'
import { clip, clipUrl } from './events.js'
import type { FetchFailure } from './fetch-failure.js'
import type { KeywardLogger } from './logger.js'

/** Distinct `iss` values whose first refusal is logged; past that, refusals stay silent. */
const MAX_LOGGED_ISSUERS = 16

/**
 * keyward's own log lines, written through the `logger` option: few, one per situation, each
 * saying what to check. Events carry the same facts for machines; this is for the person
 * reading the console on the first day. Values from tokens are unverified, clipped and
 * JSON-quoted (no line breaks reach the log); a token itself never is.
 */
export class OperatorLog {
  readonly #logger: KeywardLogger | undefined
  readonly #refusals = new Set<string>()

  constructor(logger: KeywardLogger | false) {
    this.#logger = logger === false ? undefined : logger
  }

  /**
   * Keys could not be loaded or refreshed: called on the first failure of a run of failures,
   * so an outage is one line, not a line per retry.
   */
  keysFailed(
    issuer: string,
    failure: FetchFailure,
    servingLastKnownGood: boolean,
    retryInMs: number,
  ): void {
    const code = failure.misconfigured ? 'jwks_misconfigured' : 'jwks_unavailable'
    const consequence = servingLastKnownGood
      ? 'serving the last keys fetched meanwhile'
      : 'requests that need them get 503'
    this.#write(
      `keys of issuer ${quote(issuer)} cannot be ${servingLastKnownGood ? 'refreshed' : 'loaded'} (${code}): ${failure.message}; ${consequence}; next attempt in ${String(Math.ceil(retryInMs / 1000))} s`,
    )
  }

  /**
   * A token was refused: the first `invalid_issuer` refusal per `iss` value and the first
   * `invalid_audience` refusal per issuer get a line with the values expected and received,
   * the usual first-day mistakes (a trailing slash, an API identifier spelt differently).
   */
  tokenRefused(
    code: KeywardErrorCode,
    claims: Readonly<Record<string, unknown>>,
    expected: {
      readonly issuers: readonly string[]
      readonly audiences?: ReadonlySet<string> | null
    },
  ): void {
    if (this.#logger === undefined) return
    if (code === 'invalid_issuer') {
      const received = typeof claims.iss === 'string' ? clip(claims.iss) : undefined
      if (!this.#first(`iss ${received ?? ''}`)) return
      this.#write(
        `refused a token: its "iss" ${received === undefined ? 'is missing' : `${quote(received)} (unverified)`} is not a configured issuer; ${expectedIssuers(expected.issuers)}${trailingSlashHint(received, expected.issuers)}. Reported once per "iss" value`,
      )
    } else if (code === 'invalid_audience' && expected.audiences) {
      const issuer = typeof claims.iss === 'string' ? claims.iss : ''
      if (!this.#first(`aud ${issuer}`)) return
      this.#write(
        `refused a token of issuer ${quote(issuer)}: its "aud" (unverified) is ${audienceOf(claims.aud)}, which names none of the configured audiences; expected ${list([...expected.audiences])}. Reported once per issuer`,
      )
    }
  }

  /** Loudly: keys are fetched over plain http from a host that is not loopback. */
  insecureHttp(urls: readonly string[], force: boolean): void {
    this.#write(
      `"dangerouslyAllowInsecureHttp" is on${force ? ' even in production' : ''}: keys are fetched over plain http from ${list(urls)}, where anyone on the network path can replace them. For development only`,
    )
  }

  #first(key: string): boolean {
    if (this.#refusals.has(key) || this.#refusals.size >= MAX_LOGGED_ISSUERS) return false
    this.#refusals.add(key)
    return true
  }

  #write(line: string): void {
    try {
      this.#logger?.warn(`keyward: ${line}`)
    } catch {
      // A failing logger must never change an authentication outcome.
    }
  }
}

function quote(value: string): string {
  return JSON.stringify(clipUrl(value))
}

function list(values: readonly string[]): string {
  return values.map(quote).join(' or ')
}

/** Tenant issuers (a template or a resolver) have no list to show: say who decides instead. */
function expectedIssuers(issuers: readonly string[]): string {
  return issuers.length === 0
    ? 'the "issuers" template or resolver did not accept it'
    : `expected ${list(issuers)}`
}

function audienceOf(aud: unknown): string {
  if (typeof aud === 'string') return JSON.stringify(clip(aud))
  if (Array.isArray(aud)) {
    const strings = aud.slice(0, 5).map((entry) => (typeof entry === 'string' ? clip(entry) : '?'))
    return `${JSON.stringify(strings)}${aud.length > 5 ? ` (and ${String(aud.length - 5)} more)` : ''}`
  }
  return aud === undefined ? 'missing' : 'not a string'
}

/** A received `iss` that a configured one equals but for a trailing slash: say so. */
function trailingSlashHint(received: string | undefined, issuers: readonly string[]): string {
  if (received === undefined) return ''
  const bare = received.replace(/\/$/, '')
  const near = issuers.find((issuer) => issuer !== received && issuer.replace(/\/$/, '') === bare)
  return near === undefined
    ? ''
    : ` (they differ only by a trailing slash: "issuer" must be exactly the "iss" of tokens)`
}
