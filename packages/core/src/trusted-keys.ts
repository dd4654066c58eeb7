import type { VerificationKey } from './jwk-import.js'
import { KeyRevocations, type RevokedKey } from './key-revocations.js'
import { diffKeySets, type DroppedKey, type KeySet, type KeySetDiff } from './key-set.js'

/** Keys that started or stopped verifying. */
export interface TrustChange {
  readonly added: readonly VerificationKey[]
  readonly removed: readonly VerificationKey[]
}

interface Selector {
  readonly kid?: string
  readonly thumbprint?: string
}

const NO_CHANGE: TrustChange = { added: [], removed: [] }

/**
 * Which keys of one issuer verify right now: the keys of the last fetched JWKS that its key
 * policy admitted, minus the operator's revocations. Revocations last for the verifier's
 * lifetime, so a revoked key stays refused when the JWKS publishes it again; restoring one
 * brings the key back at once if the JWKS still publishes it. No I/O and no clock reads.
 *
 * @example
 * ```ts
 * const trust = new TrustedKeys()
 * trust.adopt(admitted, indexes, policyDrops)
 * trust.revoke({ thumbprint }, now) // its tokens fail from the next request on
 * ```
 */
export class TrustedKeys {
  readonly #revocations = new KeyRevocations()
  /** Keys of the last fetched document the policy admitted, revoked ones included. */
  #admitted: readonly VerificationKey[] = []
  /** Where each admitted key stands in that document. */
  #indexes = new Map<VerificationKey, number>()
  /** Keys of that document the policy refused. */
  #policyDrops: readonly DroppedKey[] = []
  #set: KeySet | undefined
  /** The keys of `#set`, for O(1) "is this cached verification's key still trusted". */
  #active = new Set<VerificationKey>()
  /** Key ids that name a refused key: a token naming one never causes a refetch. */
  #refusedKids = new Set<string>()

  /** The trusted keys, or `undefined` before the first fetch and after the keys expired. */
  get set(): KeySet | undefined {
    return this.#set
  }

  /** Keys the policy admitted from the last document, revoked ones included. */
  get admitted(): readonly VerificationKey[] {
    return this.#admitted
  }

  isTrusted(key: VerificationKey): boolean {
    return this.#active.has(key)
  }

  /** The key id names a key this issuer publishes and its policy or the operator refused. */
  isRefusedKid(kid: string): boolean {
    return this.#refusedKids.has(kid)
  }

  /**
   * Installs the admitted keys of a freshly fetched document (`indexes`: their positions in
   * it). Keys already admitted keep their object, so verifications cached under them survive.
   */
  adopt(
    admitted: readonly VerificationKey[],
    indexes: readonly number[],
    policyDrops: readonly DroppedKey[],
  ): { readonly diff: KeySetDiff; readonly change: TrustChange } {
    const diff = diffKeySets(this.#admitted, admitted)
    this.#indexes = new Map(diff.keys.map((key, i) => [key, indexes[i] ?? i]))
    this.#admitted = diff.keys
    this.#policyDrops = policyDrops
    return { diff, change: this.#install(true) }
  }

  /** The keys expired: nothing verifies until the next successful fetch. */
  clear(): void {
    this.#admitted = []
    this.#indexes = new Map()
    this.#policyDrops = []
    this.#set = undefined
    this.#active = new Set()
    this.#refuse()
  }

  /** Adds a revocation; `revoked` is `false` when it was already in force. */
  revoke(
    selector: Selector,
    nowMs: number,
  ): { readonly revoked: boolean; readonly change: TrustChange } {
    if (!this.#revocations.add(selector, nowMs)) return { revoked: false, change: NO_CHANGE }
    return { revoked: true, change: this.#install(this.#set !== undefined) }
  }

  /** Lifts a revocation; `restored` is `false` when there was none. */
  restore(selector: Selector): { readonly restored: boolean; readonly change: TrustChange } {
    if (!this.#revocations.remove(selector)) return { restored: false, change: NO_CHANGE }
    return { restored: true, change: this.#install(this.#set !== undefined) }
  }

  revocations(): readonly RevokedKey[] {
    return this.#revocations.list()
  }

  /** Keys of the last document refused by its policy or by a revocation, in document order. */
  refused(): DroppedKey[] {
    const revoked = this.#admitted
      .filter((key) => this.#revocations.refuses(key))
      .map((key): DroppedKey => ({
        index: this.#indexes.get(key) ?? -1,
        kid: key.kid,
        reason: 'revoked_key',
        thumbprint: key.thumbprint,
      }))
    return [...this.#policyDrops, ...revoked].sort((a, b) => a.index - b.index)
  }

  /** Recomputes the trusted set; `install`: there are keys to install (not only revocations). */
  #install(install: boolean): TrustChange {
    if (!install) {
      this.#refuse()
      return NO_CHANGE
    }
    const keys = this.#admitted.filter((key) => !this.#revocations.refuses(key))
    const byKid = new Map<string, VerificationKey>()
    for (const key of keys) if (key.kid !== undefined) byKid.set(key.kid, key)
    const active = new Set(keys)
    const added = keys.filter((key) => !this.#active.has(key))
    const removed = [...this.#active].filter((key) => !active.has(key))
    this.#active = active
    this.#set = { keys, byKid }
    this.#refuse()
    return { added, removed }
  }

  #refuse(): void {
    const refused = new Set(this.#revocations.kids())
    for (const drop of this.refused()) if (drop.kid !== undefined) refused.add(drop.kid)
    for (const kid of this.#set?.byKid.keys() ?? []) refused.delete(kid)
    this.#refusedKids = refused
  }
}
