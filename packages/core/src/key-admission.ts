import type { VerificationKey } from './jwk-import.js'
import { describeKey, type KeyDescription } from './key-description.js'

/**
 * Decides whether a published key may verify this issuer's tokens: `true` admits it, `false`
 * refuses it (`unmanaged_key`). Anything else, a throw, a rejection or no answer within
 * `jwks.admitKeyTimeoutMs` refuses it too (`admission_failed`).
 */
export type AdmitKey = (key: KeyDescription) => boolean | Promise<boolean>

/** One issuer's managed-key policy, from its `trustedKeys` and `admitKey` options. */
export interface AdmissionPolicy {
  /** RFC 7638 thumbprints; `undefined`: every key the other checks accept. */
  readonly trustedKeys: ReadonlySet<string> | undefined
  readonly admitKey: AdmitKey | undefined
  readonly timeoutMs: number
}

export interface RefusedKey {
  readonly key: VerificationKey
  readonly reason: 'unmanaged_key' | 'admission_failed'
}

export interface AdmissionResult {
  /** The keys the policy admits, in published order. */
  readonly admitted: readonly VerificationKey[]
  readonly refused: readonly RefusedKey[]
}

/** Whether the policy has anything to decide: without one, every usable key is trusted. */
export function isManaged(policy: AdmissionPolicy): boolean {
  return policy.trustedKeys !== undefined || policy.admitKey !== undefined
}

/**
 * Applies an issuer's managed-key policy to the usable keys of a fetched JWKS. A key must be in
 * `trustedKeys` (when set), then be admitted by `admitKey` (when set). The hook is asked once
 * per key: a key it admitted before and that is published unchanged (`admittedBefore`) stays
 * admitted without a new question, so a hook outage never takes down keys already in use. The
 * questions run in parallel, each bounded by `timeoutMs`, so one fetch waits at most that long.
 *
 * @example
 * ```ts
 * const { admitted, refused } = await admitKeys(policy, issuer, fetched.keys, (key) => inUse.has(key))
 * ```
 */
export async function admitKeys(
  policy: AdmissionPolicy,
  issuer: string,
  keys: readonly VerificationKey[],
  admittedBefore: (key: VerificationKey) => boolean,
): Promise<AdmissionResult> {
  const { trustedKeys, admitKey } = policy
  const verdicts = await Promise.all(
    keys.map(async (key): Promise<RefusedKey['reason'] | 'admitted'> => {
      if (trustedKeys !== undefined && !trustedKeys.has(key.thumbprint)) return 'unmanaged_key'
      if (admitKey === undefined || admittedBefore(key)) return 'admitted'
      return ask(admitKey, describeKey(issuer, key, { withCertificate: true }), policy.timeoutMs)
    }),
  )
  const admitted: VerificationKey[] = []
  const refused: RefusedKey[] = []
  verdicts.forEach((verdict, index) => {
    const key = keys[index]
    if (key === undefined) return
    if (verdict === 'admitted') admitted.push(key)
    else refused.push({ key, reason: verdict })
  })
  return { admitted, refused }
}

/**
 * One question to the hook. Only a boolean is an answer: a hook returning a truthy object by
 * mistake must not admit a key. Nothing it throws is kept or reported (its message could
 * quote the key).
 */
async function ask(
  admitKey: AdmitKey,
  description: KeyDescription,
  timeoutMs: number,
): Promise<'admitted' | RefusedKey['reason']> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout')
    }, timeoutMs)
    // A hung hook must not keep the process alive.
    timer.unref()
  })
  try {
    const answer: unknown = await Promise.race([
      Promise.resolve().then(() => admitKey(description)),
      timeout,
    ])
    if (answer === true) return 'admitted'
    if (answer === false) return 'unmanaged_key'
    return 'admission_failed'
  } catch {
    return 'admission_failed'
  } finally {
    clearTimeout(timer)
  }
}
