import type { Verifier } from '@keyward/core'

/** The attribute naming an issuer on every instrument. */
export const ISSUER = 'keyward.issuer'

/**
 * Which issuers may appear as the `keyward.issuer` attribute: the `issuers` option, else the
 * configured (not tenant) issuers of the observed verifiers. An issuer is attacker-chosen text
 * in a rejected token; as an attribute it would let any caller create series without bound.
 */
export class IssuerAttribute {
  readonly #fixed: ReadonlySet<string> | undefined
  readonly #observed = new Map<Verifier, readonly string[]>()
  #learned: ReadonlySet<string> = new Set()

  constructor(fixed: ReadonlySet<string> | undefined) {
    this.#fixed = fixed
  }

  /** `{ 'keyward.issuer': issuer }` for an allowed issuer, else no attribute. */
  of(issuer: string | undefined): { readonly [ISSUER]?: string } {
    if (issuer === undefined) return {}
    return (this.#fixed ?? this.#learned).has(issuer) ? { [ISSUER]: issuer } : {}
  }

  /** Learns a verifier's configured issuers (they never change for its lifetime). */
  add(verifier: Verifier): void {
    const configured = verifier
      .health()
      .issuers.filter((entry) => !entry.tenant)
      .map((entry) => entry.issuer)
    this.#observed.set(verifier, configured)
    this.#relearn()
  }

  delete(verifier: Verifier): void {
    this.#observed.delete(verifier)
    this.#relearn()
  }

  #relearn(): void {
    this.#learned = new Set([...this.#observed.values()].flat())
  }
}
