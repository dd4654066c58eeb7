import {
  importVerificationKey,
  type KeyDropReason,
  type KeyUse,
  type VerificationKey,
} from './jwk-import.js'

/** The usable keys of one JWKS response, looked up by `kid` and by algorithm. */
export interface KeySet {
  readonly keys: readonly VerificationKey[]
  readonly byKid: ReadonlyMap<string, VerificationKey>
}

export interface DroppedKey {
  /** Position in the `keys` array. */
  readonly index: number
  readonly kid: string | undefined
  readonly reason: KeyDropReason
  /** RFC 7638 thumbprint, for a key that was usable and refused by the issuer's key policy. */
  readonly thumbprint?: string
}

export type KeySetResult =
  | {
      readonly ok: true
      readonly set: KeySet
      /** The position in the document of each key of `set.keys`. */
      readonly indexes: readonly number[]
      readonly dropped: readonly DroppedKey[]
    }
  | {
      readonly ok: false
      readonly error: 'invalid_shape' | 'empty_key_set' | 'no_usable_keys'
      readonly dropped: readonly DroppedKey[]
    }

/**
 * Builds a key set from a parsed JWKS document (RFC 7517 §5). Each key is judged on its own;
 * a document with no usable signing key is a failure, so the previous good set is kept.
 */
export async function buildKeySet(
  document: unknown,
  maxKeys: number,
  keyUse: KeyUse = 'sig',
): Promise<KeySetResult> {
  const keys =
    typeof document === 'object' && document !== null && !Array.isArray(document)
      ? (document as { keys?: unknown }).keys
      : undefined
  if (!Array.isArray(keys)) return { ok: false, error: 'invalid_shape', dropped: [] }
  if (keys.length === 0) return { ok: false, error: 'empty_key_set', dropped: [] }

  const dropped: DroppedKey[] = []
  const usable: VerificationKey[] = []
  const indexes: number[] = []
  const byKid = new Map<string, VerificationKey>()
  const results = await Promise.all(
    keys.slice(0, maxKeys).map((jwk: unknown) => importVerificationKey(jwk, keyUse)),
  )
  results.forEach((result, index) => {
    const rawKid = (keys[index] as { kid?: unknown } | null)?.kid
    const kid = typeof rawKid === 'string' ? rawKid : undefined
    if (result.key === undefined) {
      dropped.push({ index, kid, reason: result.reason })
      return
    }
    if (kid !== undefined) {
      // Two keys under one kid make the lookup ambiguous; the first one published wins.
      if (byKid.has(kid)) {
        dropped.push({ index, kid, reason: 'duplicate_kid' })
        return
      }
      byKid.set(kid, result.key)
    }
    usable.push(result.key)
    indexes.push(index)
  })
  for (let index = maxKeys; index < keys.length; index++) {
    const rawKid = (keys[index] as { kid?: unknown } | null)?.kid
    dropped.push({
      index,
      kid: typeof rawKid === 'string' ? rawKid : undefined,
      reason: 'too_many_keys',
    })
  }
  if (usable.length === 0) return { ok: false, error: 'no_usable_keys', dropped }
  return { ok: true, set: { keys: usable, byKid }, indexes, dropped }
}

/** How a newly fetched key set differs from the one in use. */
export interface KeySetDiff {
  /**
   * The new set's keys in published order, where each key that was already in use is the
   * previous object: verifications cached under it survive the refetch.
   */
  readonly keys: readonly VerificationKey[]
  /** Keys of the new set that were not in use. */
  readonly added: readonly VerificationKey[]
  /** Keys in use that the new set no longer has: they stop verifying at once. */
  readonly removed: readonly VerificationKey[]
  /** Keys in both (the previous objects). */
  readonly kept: readonly VerificationKey[]
}

/**
 * Compares two key sets by fingerprint (kid, alg and public material): a key republished
 * unchanged is the same key; one republished with another `alg` is a new key.
 *
 * @example
 * ```ts
 * const { keys, added, removed } = diffKeySets(current.keys, fetched.keys)
 * ```
 */
export function diffKeySets(
  previous: Iterable<VerificationKey>,
  next: readonly VerificationKey[],
): KeySetDiff {
  const before = new Set(previous)
  const byFingerprint = new Map<string, VerificationKey>()
  for (const key of before) byFingerprint.set(key.fingerprint, key)
  const keys = next.map((key) => byFingerprint.get(key.fingerprint) ?? key)
  const after = new Set(keys)
  return {
    keys,
    added: keys.filter((key) => !before.has(key)),
    removed: [...before].filter((key) => !after.has(key)),
    kept: [...after].filter((key) => before.has(key)),
  }
}
