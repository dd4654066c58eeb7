import { isAscii } from 'node:buffer'
import { verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { KeywardError } from '@keyward/core'
import { compactVerify, importJWK } from 'jose'
import { AUDIENCE, type AlgorithmFixture } from '../fixtures.js'
import type { Contender } from '../micro/contender.js'

/**
 * A copy of `@keyward/core`'s verification path (verifier.ts, decode-token.ts, base64url.ts,
 * json-object.ts, header-policy.ts, claims.ts, scopes.ts, signature.ts, verified-token.ts,
 * scope-requirements.ts) with each proposed optimisation behind a flag, so that every change
 * can be measured on its own against the floor, in the same harness. With no flag set it does
 * what core does today; it is for measurement only.
 */
export interface ReplicaFlags {
  /** base64url: check the pad bits of the last character instead of re-encoding. */
  readonly o1Canonical?: boolean
  /** JSON text: ASCII bytes (every real token) decode as latin1, skipping TextDecoder. */
  readonly asciiJson?: boolean
  /** Remember parsed and checked headers by their base64url segment (a handful per issuer). */
  readonly headerCache?: boolean
  /** The scope policy rides on the result (a symbol-keyed property) instead of a WeakMap. */
  readonly noWeakMap?: boolean
  /** No `async`: the hot path runs synchronously and returns one settled promise. */
  readonly syncHotPath?: boolean
  /**
   * Freeze two objects (claims and the result) instead of four: the `audience` and `scopes`
   * arrays come frozen from small bounded maps keyed by the claim's string value, which
   * machine clients repeat on every token.
   */
  readonly memoArrays?: boolean
  /** Measurement only: keep `Object.prototype` on parsed objects. */
  readonly keepPrototype?: boolean
  /** Measurement only: do not freeze the result. */
  readonly noFreeze?: boolean
  /** Measurement only: return the result itself, no promise at all. */
  readonly noPromise?: boolean
  /**
   * How the signature is checked: `sync` is core's `crypto.verify` on a `KeyObject`; `pool` is
   * the same call's callback form, which runs in libuv's thread pool; `adaptive` is `sync`
   * while verifications come one at a time and `pool` while others are in flight (every 64th
   * call probes the pool, since concurrency is invisible to a synchronous call); `jose` hands
   * the token to jose's `compactVerify` (WebCrypto).
   * @defaultValue 'sync'
   */
  readonly signature?: 'sync' | 'pool' | 'adaptive' | 'jose'
}

// --- base64url.ts -------------------------------------------------------------------------
const BASE64URL = /^[A-Za-z0-9_-]*$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUE = new Uint8Array(128)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

function decodeBase64Url(segment: string, o1: boolean): Buffer | undefined {
  const rest = segment.length % 4
  if (rest === 1 || !BASE64URL.test(segment)) return undefined
  const bytes = Buffer.from(segment, 'base64url')
  if (rest !== 0) {
    if (o1) {
      // RFC 4648 §3.5: the unused low bits of the last character must be zero: 4 bits when
      // two characters end the segment, 2 bits when three do.
      const last = VALUE[segment.charCodeAt(segment.length - 1)] ?? 0
      if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined
    } else if (bytes.toString('base64url') !== segment) return undefined
  }
  return bytes
}

// --- json-object.ts -----------------------------------------------------------------------
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function parseJsonObject(bytes: Buffer, flags: ReplicaFlags): Record<string, unknown> | undefined {
  let text: string
  if (flags.asciiJson === true && isAscii(bytes)) {
    text = bytes.toString('latin1')
  } else {
    try {
      text = decoder.decode(bytes)
    } catch {
      return undefined
    }
  }
  if (text.charCodeAt(0) === 0xfeff) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  if (hasDuplicateMember(text, Object.keys(value).length)) return undefined
  if (flags.keepPrototype !== true) Object.setPrototypeOf(value, null)
  return value as Record<string, unknown>
}

function hasDuplicateMember(text: string, parsedKeys: number): boolean {
  let members = 0
  let depth = 0
  let expectingKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      if (depth === 1 && expectingKey) {
        members++
        expectingKey = false
      }
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i)
        if (s === 0x5c) i++
        else if (s === 0x22) break
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++
      if (depth === 1) expectingKey = true
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    } else if (c === 0x2c && depth === 1) {
      expectingKey = true
    }
  }
  return members !== parsedKeys
}

// --- header-policy.ts ---------------------------------------------------------------------
interface CheckedHeader {
  readonly header: Record<string, unknown>
  readonly alg: string
  readonly kid: string | undefined
}

const TYP = new Set(['at+jwt', 'jwt'])
const ALGORITHMS = new Set(['RS256', 'ES256', 'EdDSA'])

function normaliseMediaType(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

function checkHeader(header: Record<string, unknown>): CheckedHeader {
  const alg = header.alg
  if (typeof alg !== 'string' || !ALGORITHMS.has(alg)) {
    throw new KeywardError('algorithm_not_allowed')
  }
  const typ = header.typ
  if (typ !== undefined && (typeof typ !== 'string' || !TYP.has(normaliseMediaType(typ)))) {
    throw new KeywardError('invalid_type')
  }
  if (header.cty !== undefined) throw new KeywardError('invalid_type')
  if (header.crit !== undefined) throw new KeywardError('malformed_token')
  if (header.b64 !== undefined && header.b64 !== true) throw new KeywardError('malformed_token')
  const kid = header.kid
  if (kid !== undefined && typeof kid !== 'string') throw new KeywardError('malformed_token')
  return { header, alg, kid }
}

// --- claims.ts ----------------------------------------------------------------------------
const STRING_CLAIMS = ['sub', 'client_id', 'azp', 'jti', 'scope'] as const
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value)

function checkClaims(claims: Record<string, unknown>, audiences: ReadonlySet<string>, now: number) {
  const aud = claims.aud
  if (typeof aud === 'string') {
    if (!audiences.has(aud)) throw new KeywardError('invalid_audience')
  } else {
    if (!Array.isArray(aud) || aud.length === 0) throw new KeywardError('invalid_audience')
    let accepted = false
    for (const entry of aud) {
      if (typeof entry !== 'string') throw new KeywardError('invalid_audience')
      if (audiences.has(entry)) accepted = true
    }
    if (!accepted) throw new KeywardError('invalid_audience')
  }
  const tolerance = 30_000
  const exp = claims.exp
  if (!isFiniteNumber(exp)) throw new KeywardError('invalid_claim')
  if (now - tolerance >= exp * 1000) throw new KeywardError('token_expired')
  const nbf = claims.nbf
  if (nbf !== undefined) {
    if (!isFiniteNumber(nbf)) throw new KeywardError('invalid_claim')
    if (now + tolerance < nbf * 1000) throw new KeywardError('token_not_yet_valid')
  }
  const iat = claims.iat
  if (iat !== undefined) {
    if (!isFiniteNumber(iat)) throw new KeywardError('invalid_claim')
    if (now + tolerance < iat * 1000) throw new KeywardError('token_not_yet_valid')
  }
  for (const name of STRING_CLAIMS) {
    const value = claims[name]
    if (value !== undefined && typeof value !== 'string') throw new KeywardError('invalid_claim')
  }
}

// --- scopes.ts ----------------------------------------------------------------------------
// Module-level functions, not closures: tsx (esbuild keepNames) wraps every closure it
// creates in a `__name` call, which would bill the replica for work core does not do.
function addScopes(into: Set<string>, value: unknown, arrayAllowed: boolean, arrayOnly: boolean) {
  if (value === undefined) return
  if (typeof value === 'string' && !arrayOnly) {
    for (const scope of value.split(' ')) if (scope !== '') into.add(scope)
    return
  }
  if (arrayAllowed && Array.isArray(value)) {
    for (const scope of value) {
      if (typeof scope !== 'string') throw new KeywardError('invalid_claim')
      if (scope !== '') into.add(scope)
    }
    return
  }
  throw new KeywardError('invalid_claim')
}

function normaliseScopes(claims: Record<string, unknown>): string[] {
  const scopes = new Set<string>()
  addScopes(scopes, claims.scope, false, false)
  addScopes(scopes, claims.scp, true, false)
  addScopes(scopes, claims.permissions, true, true)
  return [...scopes]
}

// --- verified-token.ts, scope-requirements.ts ---------------------------------------------
const policies = new WeakMap<object, object>()
function identity<T>(value: T): T {
  return value
}
const POLICY = Symbol('keyward.scopePolicy')

const MEMO_LIMIT = 256
const scopeArrays = new Map<string, readonly string[]>()
const audienceArrays = new Map<string, readonly string[]>()

function memo(
  map: Map<string, readonly string[]>,
  key: string,
  make: () => string[],
): readonly string[] {
  let value = map.get(key)
  if (value === undefined) {
    value = Object.freeze(make())
    if (map.size < MEMO_LIMIT) map.set(key, value)
  }
  return value
}

function buildVerifiedToken(
  token: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  scopes: string[],
  kid: string | undefined,
  flags: ReplicaFlags,
  policy: object,
): object {
  const aud = claims.aud
  const clientId = claims.client_id ?? claims.azp
  const freeze = flags.noFreeze === true ? identity : Object.freeze
  const memoArrays = flags.memoArrays === true
  const auth = {
    token,
    header: flags.headerCache === true ? header : freeze(header),
    claims: freeze(claims),
    issuer: claims.iss as string,
    subject: claims.sub as string | undefined,
    clientId: typeof clientId === 'string' ? clientId : '',
    audience:
      memoArrays && typeof aud === 'string'
        ? memo(audienceArrays, aud, () => [aud])
        : freeze(
            typeof aud === 'string' ? [aud] : Array.isArray(aud) ? (aud as string[]).slice() : [],
          ),
    scopes:
      memoArrays &&
      typeof claims.scope === 'string' &&
      claims.scp === undefined &&
      claims.permissions === undefined
        ? memo(scopeArrays, claims.scope, () => scopes)
        : freeze(scopes),
    expiresAt: claims.exp as number,
    kid,
  }
  if (flags.noWeakMap === true) {
    Object.defineProperty(auth, POLICY, { value: policy })
    return freeze(auth)
  }
  const frozen = freeze(auth)
  policies.set(frozen, policy)
  return frozen
}

// --- signature.ts -------------------------------------------------------------------------
interface Key {
  readonly keyObject: KeyObject
  readonly alg: string
}

function verifySignature(key: Key, alg: string, signingInput: string, signature: Buffer): boolean {
  if (alg !== 'RS256' && signature.length !== 64) return false
  const data = Buffer.from(signingInput, 'latin1')
  try {
    if (alg === 'ES256') {
      return cryptoVerify(
        'sha256',
        data,
        { key: key.keyObject, dsaEncoding: 'ieee-p1363' },
        signature,
      )
    }
    return cryptoVerify(alg === 'EdDSA' ? null : 'sha256', data, key.keyObject, signature)
  } catch {
    return false
  }
}

function verifySignatureInPool(
  key: Key,
  alg: string,
  signingInput: string,
  signature: Buffer,
): Promise<boolean> {
  if (alg !== 'RS256' && signature.length !== 64) return Promise.resolve(false)
  const data = Buffer.from(signingInput, 'latin1')
  const keyInput =
    alg === 'ES256' ? { key: key.keyObject, dsaEncoding: 'ieee-p1363' as const } : key.keyObject
  return new Promise((resolve) => {
    // The callback form runs in libuv's thread pool (Node >= 15.12).
    cryptoVerify(alg === 'EdDSA' ? null : 'sha256', data, keyInput, signature, (error, ok) => {
      resolve(error === null && ok)
    })
  })
}

type JoseKey = Exclude<Awaited<ReturnType<typeof importJWK>>, Uint8Array>
const joseKeys = new WeakMap<AlgorithmFixture, JoseKey>()

/**
 * Imports the fixture's key through jose once, for the `jose` signature flag.
 *
 * @example
 * ```ts
 * await prepareJoseKey(fixture)
 * ```
 */
export async function prepareJoseKey(fixture: AlgorithmFixture): Promise<void> {
  const key = await importJWK(fixture.publicJwk, fixture.alg)
  if (key instanceof Uint8Array) throw new TypeError('not an asymmetric key')
  joseKeys.set(fixture, key)
}

// --- verifier.ts --------------------------------------------------------------------------
/**
 * A replica verifier for one fixture, with a verified-token cache of `cacheSize` (LRU, as in
 * core) and the given flags.
 *
 * @example
 * ```ts
 * const contender = createReplica(fixture, 'all proposals', { o1Canonical: true }, 0)
 * ```
 */
export function createReplica(
  fixture: AlgorithmFixture,
  name: string,
  flags: ReplicaFlags,
  cacheSize: number,
): Contender {
  const keys = new Map<string, Key>([
    [fixture.kid, { keyObject: fixture.publicKey, alg: fixture.alg }],
  ])
  const active = new Set(keys.values())
  const issuers = new Map([[fixture.iss, { audiences: new Set([AUDIENCE]) }]])
  const cache = new Map<string, { auth: { claims: Record<string, unknown> }; key: Key }>()
  const headers = new Map<string, CheckedHeader>()
  const policy = {}
  const o1 = flags.o1Canonical === true

  const decodeHeader = (segment: string): CheckedHeader => {
    if (flags.headerCache === true) {
      const known = headers.get(segment)
      if (known !== undefined) return known
    }
    const bytes = decodeBase64Url(segment, o1)
    const header = bytes === undefined ? undefined : parseJsonObject(bytes, flags)
    if (header === undefined) throw new KeywardError('malformed_token')
    const checked = checkHeader(header)
    // Only headers that passed every check are remembered; the map stays tiny because real
    // issuers sign with a handful of keys, and it is bounded anyway.
    if (flags.headerCache === true && headers.size < 32) {
      Object.freeze(header)
      headers.set(segment, checked)
    }
    return checked
  }

  interface Prepared {
    readonly token: string
    readonly checked: CheckedHeader
    readonly claims: Record<string, unknown>
    readonly scopes: string[]
    readonly key: Key
    readonly signingInput: string
    readonly signature: Buffer
  }

  /** Everything before the signature: a cached result, or a token ready for its check. */
  const prepare = (token: string): object | Prepared => {
    const cached = cache.get(token)
    if (cached !== undefined) {
      cache.delete(token)
      cache.set(token, cached)
      if (active.has(cached.key)) {
        const exp = cached.auth.claims.exp as number
        if (Date.now() - 30_000 < exp * 1000) return cached.auth
      }
      cache.delete(token)
    }
    if (token.length > 8192) throw new KeywardError('token_too_large')
    const firstDot = token.indexOf('.')
    const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1)
    if (secondDot === -1 || token.includes('.', secondDot + 1)) {
      throw new KeywardError('malformed_token')
    }
    const checked = decodeHeader(token.slice(0, firstDot))
    const payloadBytes = decodeBase64Url(token.slice(firstDot + 1, secondDot), o1)
    const signature = decodeBase64Url(token.slice(secondDot + 1), o1)
    if (payloadBytes === undefined || signature === undefined || signature.length === 0) {
      throw new KeywardError('malformed_token')
    }
    const claims = parseJsonObject(payloadBytes, flags)
    if (claims === undefined) throw new KeywardError('malformed_token')
    const issuer = typeof claims.iss === 'string' ? issuers.get(claims.iss) : undefined
    if (issuer === undefined) throw new KeywardError('invalid_issuer')
    checkClaims(claims, issuer.audiences, Date.now())
    const scopes = normaliseScopes(claims)
    const key = checked.kid === undefined ? undefined : keys.get(checked.kid)
    if (key === undefined) throw new KeywardError('unknown_key')
    if (key.alg !== checked.alg) throw new KeywardError('invalid_signature')
    return {
      token,
      checked,
      claims,
      scopes,
      key,
      signingInput: token.slice(0, secondDot),
      signature,
    }
  }

  const finish = (p: Prepared): object => {
    const auth = buildVerifiedToken(
      p.token,
      p.checked.header,
      p.claims,
      p.scopes,
      p.checked.kid,
      flags,
      policy,
    )
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next()
        if (oldest.done !== true) cache.delete(oldest.value)
      }
      cache.set(p.token, { auth: auth as { claims: Record<string, unknown> }, key: p.key })
    }
    return auth
  }

  const isPrepared = (value: object | Prepared): value is Prepared => 'signingInput' in value

  const verifySync = (token: string): object => {
    const prepared = prepare(token)
    if (!isPrepared(prepared)) return prepared
    if (
      !verifySignature(
        prepared.key,
        prepared.checked.alg,
        prepared.signingInput,
        prepared.signature,
      )
    ) {
      throw new KeywardError('invalid_signature')
    }
    return finish(prepared)
  }

  let verify: (token: string) => unknown
  if (flags.signature === 'jose') {
    const joseKey = joseKeys.get(fixture)
    if (joseKey === undefined) throw new Error('call prepareJoseKey(fixture) first')
    verify = async (token) => {
      const prepared = prepare(token)
      if (!isPrepared(prepared)) return prepared
      try {
        await compactVerify(token, joseKey, { algorithms: [prepared.checked.alg] })
      } catch {
        throw new KeywardError('invalid_signature')
      }
      return finish(prepared)
    }
  } else if (flags.signature === 'pool' || flags.signature === 'adaptive') {
    const always = flags.signature === 'pool'
    let pending = 0
    let sinceProbe = 0
    verify = (token) => {
      try {
        const prepared = prepare(token)
        if (!isPrepared(prepared)) return Promise.resolve(prepared)
        const { key, checked, signingInput, signature } = prepared
        if (!always && pending === 0 && ++sinceProbe < 64) {
          // Alone, the synchronous call is cheapest.
          if (!verifySignature(key, checked.alg, signingInput, signature)) {
            throw new KeywardError('invalid_signature')
          }
          return Promise.resolve(finish(prepared))
        }
        // Others in flight (or a probe): a pool thread verifies while this one parses on.
        sinceProbe = 0
        pending++
        return verifySignatureInPool(key, checked.alg, signingInput, signature).then((ok) => {
          pending--
          if (!ok) throw new KeywardError('invalid_signature')
          return finish(prepared)
        })
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
  } else if (flags.noPromise === true) verify = verifySync
  else if (flags.syncHotPath === true) {
    verify = (token) => {
      try {
        return Promise.resolve(verifySync(token))
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
  } else {
    // Today's shape: an async verify() awaiting an async #verifySignature() that, with keys
    // cached, never suspends.
    // eslint-disable-next-line @typescript-eslint/require-await -- mirrors core's shape
    const signatureStep = async (): Promise<void> => undefined
    verify = async (token) => {
      const auth = verifySync(token)
      await signatureStep()
      return auth
    }
  }
  return { name, sync: flags.noPromise === true, verify }
}
