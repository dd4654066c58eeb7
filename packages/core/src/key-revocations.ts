import type { VerificationKey } from './jwk-import.js'
import { isJwkThumbprint } from './jwk-thumbprint.js'
import { isNonEmptyString, optionRecord, own } from './option-readers.js'
import { rejectUnknownOptions } from './unknown-options.js'

/**
 * A key to revoke or restore: by `kid` (every key the issuer publishes under that key id) or by
 * RFC 7638 `thumbprint` (that key material under any key id).
 */
export type KeySelector =
  | { readonly issuer: string; readonly kid: string; readonly thumbprint?: undefined }
  | { readonly issuer: string; readonly thumbprint: string; readonly kid?: undefined }

/** A revocation in force; listed in `health()`. */
export interface RevokedKey {
  readonly kid: string | undefined
  readonly thumbprint: string | undefined
  /** Epoch milliseconds. */
  readonly revokedAt: number
}

const SELECTOR_NAMES = { known: ['issuer', 'kid', 'thumbprint'], elsewhere: new Map() }

/**
 * Validates the argument of `revokeKey` / `restoreKey` (an operator call, often from an admin
 * route's request body): a `TypeError` naming what is wrong, never a silent no-op.
 *
 * @example
 * ```ts
 * const { issuer, ...key } = readKeySelector(request.body, 'revokeKey') // { kid } or { thumbprint }
 * ```
 */
export function readKeySelector(
  input: unknown,
  caller: string,
): { readonly issuer: string; readonly kid?: string; readonly thumbprint?: string } {
  const record = optionRecord(input, `${caller} argument`)
  rejectUnknownOptions(record, SELECTOR_NAMES, '')
  const issuer = own(record, 'issuer')
  const kid = own(record, 'kid')
  const thumbprint = own(record, 'thumbprint')
  if (!isNonEmptyString(issuer)) throw new TypeError(`"issuer" must be a configured issuer`)
  if ((kid === undefined) === (thumbprint === undefined)) {
    throw new TypeError(`${caller} takes either "kid" or "thumbprint"`)
  }
  if (kid !== undefined) {
    if (!isNonEmptyString(kid)) throw new TypeError('"kid" must be a non-empty string')
    return { issuer, kid }
  }
  if (!isJwkThumbprint(thumbprint)) {
    throw new TypeError(
      '"thumbprint" must be an RFC 7638 SHA-256 thumbprint (43 base64url characters)',
    )
  }
  return { issuer, thumbprint }
}

/**
 * One issuer's revocations, for the verifier's lifetime: a revoked key stays refused when the
 * JWKS publishes it again, until `restoreKey`.
 *
 * @example
 * ```ts
 * const revocations = new KeyRevocations()
 * revocations.add({ kid: 'leaked' }, Date.now())
 * revocations.refuses(key) // true for every key published under kid "leaked"
 * ```
 */
export class KeyRevocations {
  readonly #entries: RevokedKey[] = []

  /** Adds a revocation; `false` when the same one is already in force. */
  add(selector: { readonly kid?: string; readonly thumbprint?: string }, nowMs: number): boolean {
    if (this.#find(selector) !== -1) return false
    this.#entries.push(
      Object.freeze({ kid: selector.kid, thumbprint: selector.thumbprint, revokedAt: nowMs }),
    )
    return true
  }

  /** Removes a revocation; `false` when there was none. */
  remove(selector: { readonly kid?: string; readonly thumbprint?: string }): boolean {
    const index = this.#find(selector)
    if (index === -1) return false
    this.#entries.splice(index, 1)
    return true
  }

  /** Whether any revocation refuses `key`. */
  refuses(key: VerificationKey): boolean {
    return this.#entries.some((entry) => matches(entry, key))
  }

  /** Key ids revoked as such: a token naming one is refused without a refetch. */
  kids(): string[] {
    return this.#entries.flatMap((entry) => (entry.kid === undefined ? [] : [entry.kid]))
  }

  get size(): number {
    return this.#entries.length
  }

  list(): readonly RevokedKey[] {
    return [...this.#entries]
  }

  #find(selector: { readonly kid?: string; readonly thumbprint?: string }): number {
    return this.#entries.findIndex(
      (entry) => entry.kid === selector.kid && entry.thumbprint === selector.thumbprint,
    )
  }
}

function matches(
  entry: { readonly kid?: string; readonly thumbprint?: string },
  key: VerificationKey,
): boolean {
  return entry.kid !== undefined ? entry.kid === key.kid : entry.thumbprint === key.thumbprint
}
