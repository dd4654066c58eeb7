import { DEFAULTS } from './defaults.js'
import { importVerificationKey, type KeyDropReason } from './jwk-import.js'
import { jwkThumbprint } from './jwk-thumbprint.js'
import { buildKeySet } from './key-set.js'

/**
 * How keyward's key source judges one JWK, with the facts an audit reports about it. Member
 * values are copied only when they have the type the JWK specification gives them.
 */
export interface JwkJudgement {
  /** Whether the key source would keep this key to verify signatures. */
  readonly kept: boolean
  /** Why it would be dropped (the `reason` of a `jwks_key_dropped` event). */
  readonly reason: KeyDropReason | undefined
  readonly kid: string | undefined
  readonly kty: string | undefined
  readonly crv: string | undefined
  readonly alg: string | undefined
  readonly use: string | undefined
  readonly keyOps: readonly string[] | undefined
  /** Names of private or secret members present (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`). */
  readonly privateMembers: readonly string[]
  /** RSA: the modulus length in bits. */
  readonly rsaModulusBits: number | undefined
  /** RSA: the public exponent, in decimal, when it has at most 64 bits. */
  readonly rsaExponent: string | undefined
  /** RSA: the public exponent's length in bits. */
  readonly rsaExponentBits: number | undefined
  /**
   * RFC 7638 SHA-256 thumbprint (base64url) of the public key, from its required members only,
   * so a private JWK has the thumbprint of its public half. `undefined` for symmetric keys
   * (a hash of the secret is not for publishing) and for keys missing required members.
   */
  readonly thumbprint: string | undefined
  /** Whether the JWK carries an `x5c` member (see RFC 7517 §4.7). */
  readonly hasCertificateChain: boolean
}

// RFC 7518 §6.3.2 / §6.2.2 / §6.4: members only a private or symmetric key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/**
 * Judges one JWK on its own, exactly as the key source does (the same validation and import),
 * and reports what it is: kept or the drop reason, type, curve, RSA sizes and the RFC 7638
 * thumbprint. Set-level reasons (`duplicate_kid`, `too_many_keys`) need the whole set: see
 * {@link judgeJwks}.
 *
 * @example
 * ```ts
 * const judged = await judgeJwk({ kty: 'RSA', n, e: 'AQAB', kid: 'k1', alg: 'RS256' })
 * if (!judged.kept) console.log(judged.kid, judged.reason) // e.g. weak_rsa_key
 * console.log(judged.rsaModulusBits, judged.thumbprint)
 * ```
 */
export async function judgeJwk(jwk: unknown): Promise<JwkJudgement> {
  const { reason } = await importVerificationKey(jwk)
  const object = typeof jwk === 'object' && jwk !== null && !Array.isArray(jwk) ? jwk : {}
  const member = (name: string): unknown =>
    Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined
  const kty = stringOf(member('kty'))
  const keyOps = member('key_ops')
  const rsa = kty === 'RSA' ? rsaFacts(member('n'), member('e')) : undefined
  return {
    kept: reason === undefined,
    reason,
    kid: stringOf(member('kid')),
    kty,
    crv: stringOf(member('crv')),
    alg: stringOf(member('alg')),
    use: stringOf(member('use')),
    keyOps:
      Array.isArray(keyOps) && keyOps.every((op) => typeof op === 'string')
        ? [...keyOps]
        : undefined,
    privateMembers: PRIVATE_MEMBERS.filter((name) => member(name) !== undefined),
    rsaModulusBits: rsa?.modulusBits,
    rsaExponent: rsa?.exponent,
    rsaExponentBits: rsa?.exponentBits,
    thumbprint: kty === 'oct' ? undefined : await thumbprintOf(object),
    hasCertificateChain: member('x5c') !== undefined,
  }
}

/** What {@link judgeJwks} found in a JWK Set document. */
export interface JwksJudgement {
  /**
   * Why the key source would refuse the whole document: not a JWK Set (`invalid_shape`),
   * `keys` empty (`empty_key_set`), or no key kept (`no_usable_keys`). `undefined` when it
   * would adopt it.
   */
  readonly failure: 'invalid_shape' | 'empty_key_set' | 'no_usable_keys' | undefined
  /** One judgement per entry of `keys`, in order, set-level reasons included. */
  readonly keys: readonly JwkJudgement[]
}

/**
 * Judges a JWK Set document (RFC 7517 §5) as the key source does: each key with
 * {@link judgeJwk}, then the set-level rules, so a second key with a `kid` already used is
 * dropped as `duplicate_kid` and keys past `maxKeys` as `too_many_keys`.
 *
 * @example
 * ```ts
 * const { failure, keys } = await judgeJwks(await (await fetch(jwksUri)).json())
 * for (const key of keys) console.log(key.kid, key.kept ? key.thumbprint : key.reason)
 * ```
 */
export async function judgeJwks(
  document: unknown,
  options: { readonly maxKeys?: number } = {},
): Promise<JwksJudgement> {
  const built = await buildKeySet(document, options.maxKeys ?? DEFAULTS.jwks.maxKeys)
  const entries = (document as { keys?: unknown } | null | undefined)?.keys
  const keys = Array.isArray(entries)
    ? await Promise.all(entries.map((jwk: unknown) => judgeJwk(jwk)))
    : []
  const dropped = new Map(built.dropped.map(({ index, reason }) => [index, reason]))
  return {
    failure: built.ok ? undefined : built.error,
    keys: keys.map((judged, index) => {
      const reason = dropped.get(index)
      return reason === undefined || judged.reason !== undefined
        ? judged
        : { ...judged, kept: false, reason }
    }),
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function rsaFacts(
  n: unknown,
  e: unknown,
): { modulusBits?: number; exponent?: string; exponentBits?: number } {
  const bitsOf = (bytes: Buffer): number => {
    let start = 0
    while (start < bytes.length && bytes[start] === 0) start++
    const first = bytes[start]
    return first === undefined ? 0 : (bytes.length - start - 1) * 8 + (32 - Math.clz32(first))
  }
  const facts: { modulusBits?: number; exponent?: string; exponentBits?: number } = {}
  if (typeof n === 'string') facts.modulusBits = bitsOf(Buffer.from(n, 'base64url'))
  if (typeof e === 'string') {
    const bytes = Buffer.from(e, 'base64url')
    facts.exponentBits = bitsOf(bytes)
    if (facts.exponentBits <= 64) {
      facts.exponent = bytes.length === 0 ? '0' : BigInt(`0x${bytes.toString('hex')}`).toString()
    }
  }
  return facts
}

async function thumbprintOf(jwk: object): Promise<string | undefined> {
  try {
    // RFC 7638 §3.2: only the required members of the key type, so extra members never matter.
    return await jwkThumbprint(jwk)
  } catch {
    return undefined
  }
}
