import { clip } from './events.js'
import type { VerificationKey } from './jwk-import.js'
import { keyBits } from './key-description.js'
import type { KeySetDiff } from './key-set.js'

/** A key the verifier trusts right now, as `health()` lists it. */
export interface TrustedKeyInfo {
  /** Clipped to 128 characters. */
  readonly kid: string | undefined
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  readonly thumbprint: string
  readonly kty: 'RSA' | 'EC' | 'OKP'
  readonly crv: string | undefined
  readonly bits: number
  readonly alg: string | undefined
  /** When this verifier first fetched the key (epoch milliseconds). */
  readonly firstSeenAt: number
  /** The last successful fetch (200 or 304) that still published it. */
  readonly lastSeenAt: number
  /** When the first token signed with it was accepted, if any. */
  readonly firstUsedAt: number | undefined
  /** Tokens accepted with it since it was first fetched, verified-token cache hits included. */
  readonly verifications: number
  /** Trusted for longer than `jwks.maxKeyAgeMs`: its rotation is overdue. */
  readonly rotationOverdue: boolean
  /** Its first token came within `jwks.minKeyNoticeMs` of its first sighting. */
  readonly unannounced: boolean
}

/** Rotation hygiene of one issuer's keys, in `health()`. */
export interface KeyHygiene {
  /** The key policy (`trustedKeys`, `admitKey`, revocations) leaves this issuer no trusted key. */
  readonly noTrustedKeys: boolean
  /** Thumbprints of trusted keys first seen longer than `jwks.maxKeyAgeMs` ago. */
  readonly rotationOverdue: readonly string[]
  /**
   * Thumbprints of keys whose first token arrived within `jwks.minKeyNoticeMs` of the key's
   * first sighting: the issuer signed with a key before publishing it long enough for every
   * verifier to have it (a rotation without pre-publication).
   */
  readonly unannouncedKeys: readonly string[]
  /** When a fetched JWKS last replaced every trusted key at once (epoch milliseconds). */
  readonly keySetReplacedAt: number | undefined
}

export interface KeyInventorySettings {
  readonly maxKeyAgeMs: number
  readonly minKeyNoticeMs: number
}

interface KeyRecord {
  readonly firstSeenAt: number
  lastSeenAt: number
  /** Fetched with the first key set: when it was published is unknown, so no notice is judged. */
  readonly initial: boolean
  firstUsedAt: number | undefined
  unannounced: boolean
  overdueReported: boolean
}

/**
 * When each key of one issuer was first and last seen and first used, and the rotation hygiene
 * signals drawn from that. Holds times only; every answer reads the time it is given. Keys are
 * tracked from the fetch that brings them until one that no longer does.
 *
 * @example
 * ```ts
 * const inventory = new KeyInventory({ maxKeyAgeMs: 7_776_000_000, minKeyNoticeMs: 60_000 })
 * inventory.adopted(diffKeySets(inUse, fetched), now, inUse.length > 0)
 * ```
 */
export class KeyInventory {
  readonly #settings: KeyInventorySettings
  readonly #records = new Map<VerificationKey, KeyRecord>()
  #replacedAt: number | undefined

  constructor(settings: KeyInventorySettings) {
    this.#settings = settings
  }

  /**
   * A fetched key set was adopted. `hadKeys`: it follows another set (not the first fetch, nor
   * the first after the keys expired). Returns whether it replaced every key at once.
   */
  adopted(diff: KeySetDiff, nowMs: number, hadKeys: boolean): boolean {
    for (const key of diff.removed) this.#records.delete(key)
    for (const key of diff.keys) {
      const record = this.#records.get(key)
      if (record !== undefined) record.lastSeenAt = nowMs
      else {
        this.#records.set(key, {
          firstSeenAt: nowMs,
          lastSeenAt: nowMs,
          initial: !hadKeys,
          firstUsedAt: undefined,
          unannounced: false,
          overdueReported: false,
        })
      }
    }
    const replaced =
      hadKeys && diff.kept.length === 0 && diff.added.length > 0 && diff.removed.length > 0
    if (replaced) this.#replacedAt = nowMs
    return replaced
  }

  /** A 304 confirmed the keys in use. */
  confirmed(keys: Iterable<VerificationKey>, nowMs: number): void {
    for (const key of keys) {
      const record = this.#records.get(key)
      if (record !== undefined) record.lastSeenAt = nowMs
    }
  }

  /** The keys expired (stale beyond `maxStaleMs`): nothing is tracked any more. */
  clear(): void {
    this.#records.clear()
  }

  /**
   * The first token signed with `key` was accepted. Returns how long the key had been known
   * when that notice was too short (`minKeyNoticeMs`), else `undefined`.
   */
  firstUse(key: VerificationKey, nowMs: number): number | undefined {
    const record = this.#records.get(key)
    if (record === undefined || record.firstUsedAt !== undefined) return undefined
    record.firstUsedAt = nowMs
    const noticeMs = nowMs - record.firstSeenAt
    if (record.initial || noticeMs >= this.#settings.minKeyNoticeMs) return undefined
    record.unannounced = true
    return noticeMs
  }

  /** Keys of `keys` past `maxKeyAgeMs` not reported before; each is reported once. */
  newlyOverdue(keys: readonly VerificationKey[], nowMs: number): VerificationKey[] {
    return keys.filter((key) => {
      const record = this.#records.get(key)
      if (record === undefined || record.overdueReported || !this.#overdue(record, nowMs)) {
        return false
      }
      record.overdueReported = true
      return true
    })
  }

  /** How long `key` has been trusted. */
  ageMs(key: VerificationKey, nowMs: number): number {
    const record = this.#records.get(key)
    return record === undefined ? 0 : nowMs - record.firstSeenAt
  }

  info(key: VerificationKey, nowMs: number): TrustedKeyInfo {
    const record = this.#records.get(key)
    return {
      kid: clip(key.kid),
      thumbprint: key.thumbprint,
      kty: key.kty,
      crv: key.crv,
      bits: keyBits(key),
      alg: key.alg,
      firstSeenAt: record?.firstSeenAt ?? nowMs,
      lastSeenAt: record?.lastSeenAt ?? nowMs,
      firstUsedAt: record?.firstUsedAt,
      verifications: key.verifications,
      rotationOverdue: record !== undefined && this.#overdue(record, nowMs),
      unannounced: record?.unannounced ?? false,
    }
  }

  hygiene(trusted: readonly TrustedKeyInfo[], noTrustedKeys: boolean): KeyHygiene {
    return {
      noTrustedKeys,
      rotationOverdue: trusted.filter((key) => key.rotationOverdue).map((key) => key.thumbprint),
      unannouncedKeys: trusted.filter((key) => key.unannounced).map((key) => key.thumbprint),
      keySetReplacedAt: this.#replacedAt,
    }
  }

  #overdue(record: KeyRecord, nowMs: number): boolean {
    return nowMs - record.firstSeenAt > this.#settings.maxKeyAgeMs
  }
}
