import fc from 'fast-check'
import { checkClaims, type ClaimsPolicy } from '../../../src/claims.js'
import { decodeToken } from '../../../src/decode-token.js'
import { isKeywardError, type KeywardErrorCode } from '../../../src/errors.js'
import { extractBearerToken, type BearerRequest } from '../../../src/extract-bearer-token.js'
import { buildKeySet } from '../../../src/key-set.js'
import { normaliseScopes } from '../../../src/scopes.js'
import { mutatedToken, randomToken, structuredToken } from './token-arbitraries.js'
import type { FuzzWorld } from './world.js'

/** What a case did wrong. `undefined` from a check means the case held. */
export interface Violation {
  readonly kind: 'accepted_invalid' | 'rejected_valid' | 'non_keyward_throw' | 'oracle'
  readonly detail: string
}

/** One thing under fuzz: how to make inputs and how to judge one. */
export interface FuzzTarget<T = unknown> {
  readonly name: string
  readonly arbitrary: fc.Arbitrary<T>
  check(value: T): Promise<Violation | undefined>
}

const MAX_TOKEN_BYTES = 8192

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function thrownViolation(
  error: unknown,
  allowed?: readonly KeywardErrorCode[],
): Violation | undefined {
  if (!isKeywardError(error)) return { kind: 'non_keyward_throw', detail: describeError(error) }
  if (allowed !== undefined && !allowed.includes(error.code)) {
    return { kind: 'oracle', detail: `unexpected code ${error.code}` }
  }
  return undefined
}

/** Every token arbitrary, weighted towards mutations of valid tokens. */
export function tokenArbitrary(world: FuzzWorld): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: mutatedToken(world.valid) },
    {
      weight: 4,
      arbitrary: structuredToken({
        issuer: world.issuer.issuer,
        audience: world.issuer.audience,
        kids: world.kids,
        valid: world.valid,
        nowS: Math.floor(Date.now() / 1000),
      }),
    },
    { weight: 2, arbitrary: randomToken },
    { weight: 1, arbitrary: fc.constantFrom(...world.valid) },
  )
}

/**
 * The whole verifier on one string: it is accepted exactly when it is byte for byte one of the
 * valid tokens, and every rejection is a `KeywardError`.
 */
export function verifierTarget(world: FuzzWorld): FuzzTarget<string> {
  return {
    name: 'verifier.verify (token parser to signature)',
    arbitrary: tokenArbitrary(world),
    async check(token) {
      let accepted = false
      try {
        await world.verifier.verify(token)
        accepted = true
      } catch (error) {
        const bad = thrownViolation(error)
        if (bad !== undefined) return bad
        if (world.validSet.has(token)) {
          return { kind: 'rejected_valid', detail: `${(error as { code: string }).code}: ${token}` }
        }
        if ((error as { code: string }).code === 'jwks_unavailable') {
          return { kind: 'oracle', detail: 'a case needed the network' }
        }
      }
      if (accepted && !world.validSet.has(token)) {
        return { kind: 'accepted_invalid', detail: JSON.stringify(token) }
      }
      return undefined
    },
  }
}

const CANONICAL_SEGMENT = /^[A-Za-z0-9_-]*$/

/** The decoder alone, against an independent statement of what a compact JWS is. */
export function decoderTarget(world: FuzzWorld): FuzzTarget<string> {
  return {
    name: 'decodeToken (compact JWS parser)',
    arbitrary: tokenArbitrary(world),
    check(token) {
      let decoded: ReturnType<typeof decodeToken>
      try {
        decoded = decodeToken(token, MAX_TOKEN_BYTES)
      } catch (error) {
        const bad = thrownViolation(error, ['malformed_token', 'token_too_large'])
        if (bad !== undefined) return Promise.resolve(bad)
        return Promise.resolve(undefined)
      }
      // RFC 7515 §7.1 and §2: three canonical base64url segments, JSON objects, a signature.
      const parts = token.split('.')
      const ok =
        token.length <= MAX_TOKEN_BYTES &&
        parts.length === 3 &&
        parts.every(
          (part) =>
            CANONICAL_SEGMENT.test(part) &&
            Buffer.from(part, 'base64url').toString('base64url') === part,
        ) &&
        decoded.signature.length > 0 &&
        decoded.signature.equals(Buffer.from(parts[2] ?? '', 'base64url')) &&
        decoded.signingInput === `${parts[0] ?? ''}.${parts[1] ?? ''}` &&
        Object.getPrototypeOf(decoded.header) === null &&
        Object.getPrototypeOf(decoded.claims) === null
      return Promise.resolve(
        ok ? undefined : { kind: 'accepted_invalid', detail: JSON.stringify(token) },
      )
    },
  }
}

interface HeaderCase {
  readonly lines: readonly string[]
  readonly withRawHeaders: boolean
  readonly method: 'GET' | 'POST'
  readonly form: boolean
  readonly query: unknown
  readonly body: unknown
  readonly allowQueryToken: boolean
  readonly allowBodyToken: boolean
}

/** Authorization values built from the grammar's parts, plus pure noise and oversized ones. */
function headerValue(world: FuzzWorld): fc.Arbitrary<string> {
  const lead = fc.constantFrom('', '', ' ', '\t', '\u00a0', '\ufeff', '\u3000')
  const scheme = fc.constantFrom(
    'Bearer',
    'Bearer',
    'bearer',
    'BEARER',
    'bEaReR',
    'Basic',
    'DPoP',
    'Bearer_',
    'Bearerx',
    '',
    'Token',
  )
  const sep = fc.constantFrom(' ', ' ', '  ', '\t', '', '\u00a0', ',', ' \t', '\n')
  const token = fc.oneof(
    fc.constantFrom(...world.valid),
    fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,40}=*$/),
    fc.string({ maxLength: 40 }),
    mutatedToken(world.valid),
  )
  const trail = fc.constantFrom(
    '',
    '',
    ' ',
    '\t',
    '\u00a0',
    ',',
    ' x',
    '=',
    '==',
    ', Bearer abc',
    '\u3000',
    '\r',
  )
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(lead, scheme, sep, token, trail).map((parts) => parts.join('')),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 8100, max: 8400 }).map((n) => `Bearer ${'a'.repeat(n)}`),
    },
  )
}

function headerCase(world: FuzzWorld): fc.Arbitrary<HeaderCase> {
  const fieldValue = fc.oneof(
    fc.constantFrom(...world.valid),
    fc.string({ maxLength: 20 }),
    fc.jsonValue({ maxDepth: 2 }),
  )
  const container = fc.oneof(
    fc.constant(undefined),
    fc.constant({}),
    fieldValue.map((value) => ({ access_token: value })),
    fc.constant({ other: 'x' }),
  )
  return fc.record({
    lines: fc.array(headerValue(world), { maxLength: 3 }),
    withRawHeaders: fc.boolean(),
    method: fc.constantFrom('GET' as const, 'POST' as const),
    form: fc.boolean(),
    query: container,
    body: container,
    allowQueryToken: fc.boolean(),
    allowBodyToken: fc.boolean(),
  })
}

// RFC 6750 §2.1 with RFC 9110 §5.5 OWS: the only header values that carry a bearer token.
const STRICT_BEARER = /^[ \t]*bearer +([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i

function hasField(container: unknown): boolean {
  return (
    typeof container === 'object' && container !== null && Object.hasOwn(container, 'access_token')
  )
}

/**
 * The `Authorization` / query / body extraction against an independent reading of RFC 6750 §2:
 * a returned token comes from exactly one method and matches the grammar; a request that only
 * carries one well-formed header token is never refused.
 */
export function headerTarget(world: FuzzWorld): FuzzTarget<HeaderCase> {
  return {
    name: 'extractBearerToken (Authorization header parser)',
    arbitrary: headerCase(world),
    check(c) {
      const [first] = c.lines
      const request: BearerRequest = {
        headers: {
          ...(first === undefined ? {} : { authorization: first }),
          ...(c.form ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
        },
        rawHeaders: c.withRawHeaders
          ? c.lines.flatMap((line) => ['Authorization', line])
          : undefined,
        method: c.method,
        query: c.query,
        body: c.body,
      }
      const lineCount = c.withRawHeaders ? c.lines.length : Math.min(1, c.lines.length)
      const headerMatch = first === undefined ? null : STRICT_BEARER.exec(first)
      const fromQuery = hasField(c.query)
      const fromBody = c.method !== 'GET' && c.form && hasField(c.body)
      // A header of another scheme (`Basic`, `Bearer_`) is no bearer method.
      const headerIsBearer = first !== undefined && /^[ \t]*bearer(?:\s|$)/i.test(first)
      const methods = Number(headerIsBearer) + Number(fromQuery) + Number(fromBody)
      let result: string | undefined
      try {
        result = extractBearerToken(request, {
          allowQueryToken: c.allowQueryToken,
          allowBodyToken: c.allowBodyToken,
          maxTokenBytes: MAX_TOKEN_BYTES,
        })
      } catch (error) {
        const bad = thrownViolation(error, ['invalid_request', 'token_too_large'])
        if (bad !== undefined) return Promise.resolve(bad)
        // A single, well-formed header token, nothing else: must never be refused.
        const clean =
          headerMatch !== null &&
          lineCount === 1 &&
          !fromQuery &&
          !fromBody &&
          (headerMatch[1]?.length ?? 0) <= MAX_TOKEN_BYTES
        return Promise.resolve(
          clean ? { kind: 'rejected_valid', detail: JSON.stringify(c) } : undefined,
        )
      }
      if (result === undefined) {
        const missed =
          headerMatch !== null || (c.allowQueryToken && fromQuery) || (c.allowBodyToken && fromBody)
        return Promise.resolve(
          missed ? { kind: 'oracle', detail: `missed a token: ${JSON.stringify(c)}` } : undefined,
        )
      }
      const fromHeaderOk = headerMatch?.[1] === result && !fromQuery && !fromBody
      const fromQueryOk =
        c.allowQueryToken &&
        fromQuery &&
        methods === 1 &&
        (c.query as { access_token: unknown }).access_token === result
      const fromBodyOk =
        c.allowBodyToken &&
        fromBody &&
        methods === 1 &&
        (c.body as { access_token: unknown }).access_token === result
      const ok =
        lineCount <= 1 &&
        result.length <= MAX_TOKEN_BYTES &&
        result !== '' &&
        (fromHeaderOk || fromQueryOk || fromBodyOk)
      return Promise.resolve(
        ok
          ? undefined
          : {
              kind: 'accepted_invalid',
              detail: `${JSON.stringify(result)} from ${JSON.stringify(c)}`,
            },
      )
    },
  }
}

// ---- JWKS parsing

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
// The Ed25519 identity and zero points: small order, so anyone could forge for such a key.
const SMALL_ORDER_X = [
  'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
]
const ANY_MEMBER_VALUES: readonly unknown[] = [null, 0, true, {}, [], '', 'AAAA']
/** Values worth trying per member: near misses, weak material, wrong types. */
function memberValues(world: FuzzWorld): Readonly<Record<string, readonly unknown[]>> {
  return {
    kty: ['RSA', 'EC', 'OKP', 'oct', 'rsa', 'RSA-PSS'],
    crv: ['P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448', 'X25519', 'secp256k1', 'p-256'],
    alg: [
      'RS256',
      'PS256',
      'ES256',
      'ES384',
      'EdDSA',
      'Ed25519',
      'HS256',
      'RSA-OAEP',
      'none',
      'rs256',
    ],
    use: ['sig', 'enc', 'SIG', ''],
    key_ops: [['verify'], ['sign'], ['sign', 'verify'], [], 'verify', ['encrypt']],
    kid: ['', 'k', ...world.kids, '__proto__'],
    n: [world.weakModulus, 'AQAB'],
    e: ['AQ', 'AAE', 'Ag', 'Aw', 'AQAB', 'AAEAAQ', 'AQAA'],
    x: SMALL_ORDER_X,
    y: ['AAAA'],
    d: ['AQAB'],
    k: ['c2VjcmV0'],
    p: ['AQAB'],
  }
}
const MEMBERS = ['kty', 'crv', 'alg', 'use', 'key_ops', 'kid', 'n', 'e', 'x', 'y', 'd', 'k', 'p']

interface JwkRecipe {
  readonly base: number
  readonly drop: readonly string[]
  readonly set: readonly (readonly [string, unknown])[]
  readonly flip: readonly [string, number, number] | null
}

function applyRecipe(publicJwks: readonly Record<string, unknown>[], recipe: JwkRecipe): unknown {
  const jwk: Record<string, unknown> = { ...(publicJwks[recipe.base % publicJwks.length] ?? {}) }
  for (const name of recipe.drop) Reflect.deleteProperty(jwk, name)
  for (const [name, value] of recipe.set) jwk[name] = value
  if (recipe.flip !== null) {
    const [name, index, bit] = recipe.flip
    const value = jwk[name]
    if (typeof value === 'string' && value.length > 0) {
      const bytes = Buffer.from(value, 'base64url')
      const i = index % Math.max(1, bytes.length)
      if (bytes.length > 0) bytes[i] = (bytes[i] ?? 0) ^ (1 << bit)
      jwk[name] = bytes.toString('base64url')
    }
  }
  return jwk
}

function jwksDocument(world: FuzzWorld): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 2 })
  const values = memberValues(world)
  const recipe = fc.record({
    base: fc.nat(),
    drop: fc.subarray(['kty', 'crv', 'alg', 'use', 'kid', 'n', 'e', 'x', 'y']),
    set: fc.array(
      fc
        .constantFrom(...MEMBERS)
        .chain((name) =>
          fc.tuple(
            fc.constant(name),
            fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom(...(values[name] ?? ANY_MEMBER_VALUES)) },
              { weight: 1, arbitrary: fc.constantFrom(...ANY_MEMBER_VALUES) },
              { weight: 1, arbitrary: anyJson },
            ),
          ),
        ),
      { maxLength: 3 },
    ),
    flip: fc.option(
      fc.tuple(fc.constantFrom('n', 'e', 'x', 'y'), fc.nat(), fc.integer({ min: 0, max: 7 })),
    ),
  })
  const jwk = fc.oneof(
    { weight: 5, arbitrary: recipe.map((r) => applyRecipe(world.publicJwks, r)) },
    { weight: 2, arbitrary: fc.constantFrom(...world.publicJwks) },
    { weight: 1, arbitrary: anyJson },
  )
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(jwk, { maxLength: 6 }).map((keys) => ({ keys })) },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: anyJson.map((keys) => ({ keys })) },
  )
}

const MAX_KEYS = 4

/** Whether a JWK may verify signatures at all, by RFC 7517 §4 and the design's key rules. */
function mayVerify(jwk: unknown): boolean {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return false
  const get = (name: string): unknown =>
    Object.hasOwn(jwk, name) ? (jwk as Record<string, unknown>)[name] : undefined
  const kid = get('kid')
  const use = get('use')
  const keyOps = get('key_ops')
  return (
    ['RSA', 'EC', 'OKP'].includes(String(get('kty'))) &&
    PRIVATE_MEMBERS.every((name) => get(name) === undefined) &&
    (use === undefined || use === 'sig') &&
    (keyOps === undefined || (Array.isArray(keyOps) && keyOps.includes('verify'))) &&
    (kid === undefined || (typeof kid === 'string' && kid !== ''))
  )
}

/** JWKS documents of every shape and hostile key mixes: the set keeps exactly the safe keys. */
export function jwksTarget(world: FuzzWorld): FuzzTarget {
  return {
    name: 'buildKeySet (JWKS parsing and per-key validation)',
    arbitrary: jwksDocument(world),
    async check(document) {
      let result: Awaited<ReturnType<typeof buildKeySet>>
      try {
        result = await buildKeySet(document, MAX_KEYS)
      } catch (error) {
        return { kind: 'non_keyward_throw', detail: describeError(error) }
      }
      const keys = (document as { keys?: unknown } | null)?.keys
      if (!Array.isArray(keys)) {
        return result.ok
          ? { kind: 'accepted_invalid', detail: JSON.stringify(document) }
          : undefined
      }
      if (!result.ok) return undefined
      const droppedIndexes = new Set(result.dropped.map((entry) => entry.index))
      const kept = keys
        .map((_, index) => index)
        .filter((index) => index < MAX_KEYS && !droppedIndexes.has(index))
      if (kept.length !== result.set.keys.length) {
        return {
          kind: 'oracle',
          detail: `kept ${kept.length} but set has ${result.set.keys.length}`,
        }
      }
      const kids = new Set<string>()
      for (const [position, index] of kept.entries()) {
        const jwk: unknown = keys[index]
        const key = result.set.keys[position]
        if (key === undefined || !mayVerify(jwk)) {
          return { kind: 'accepted_invalid', detail: `key ${index}: ${JSON.stringify(jwk)}` }
        }
        if (key.kid !== undefined) {
          if (kids.has(key.kid))
            return { kind: 'accepted_invalid', detail: `duplicate kid ${key.kid}` }
          kids.add(key.kid)
        }
        const details = key.keyObject.asymmetricKeyDetails
        const weak =
          key.keyObject.type !== 'public' ||
          (key.kty === 'RSA' &&
            ((details?.modulusLength ?? 0) < 2048 ||
              (details?.publicExponent ?? 0n) < 3n ||
              (details?.publicExponent ?? 0n) % 2n === 0n)) ||
          (key.kty === 'OKP' &&
            SMALL_ORDER_X.includes(String(key.keyObject.export({ format: 'jwk' }).x)))
        if (weak)
          return { kind: 'accepted_invalid', detail: `weak key ${index}: ${JSON.stringify(jwk)}` }
      }
      return undefined
    },
  }
}

// ---- Claims

interface ClaimsCase {
  readonly claims: Record<string, unknown>
  readonly policy: ClaimsPolicy
  readonly offsetMs: number
}

const AUDIENCE = 'https://api.test'

function claimsCase(): fc.Arbitrary<ClaimsCase> {
  const nowS = Math.floor(Date.now() / 1000)
  const time = fc.oneof(
    fc.integer({ min: nowS - 7200, max: nowS + 7200 }),
    fc.double(),
    fc.constantFrom(0, -0, -1, Infinity, -Infinity, NaN, 1e300, Number.MAX_VALUE),
    fc.string({ maxLength: 10 }),
    fc.jsonValue({ maxDepth: 1 }),
  )
  const anyJson = fc.jsonValue({ maxDepth: 2 })
  const claims = fc.record(
    {
      exp: time,
      nbf: time,
      iat: time,
      aud: fc.oneof(
        fc.constantFrom(
          AUDIENCE,
          `${AUDIENCE}/`,
          'other',
          [AUDIENCE],
          ['other', AUDIENCE],
          [],
          [AUDIENCE, 1],
        ),
        anyJson,
      ),
      sub: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.string({ minLength: 254, maxLength: 257 }),
        anyJson,
      ),
      client_id: fc.oneof(fc.string({ maxLength: 8 }), anyJson),
      azp: anyJson,
      jti: fc.oneof(fc.uuid(), anyJson),
      scope: fc.oneof(fc.constantFrom('a b', '', ' a  b '), anyJson),
      scp: fc.oneof(fc.constantFrom('a', ['a', 'b']), anyJson),
      permissions: fc.oneof(fc.constantFrom(['a'], ['a', 1]), anyJson),
    },
    { requiredKeys: [] },
  )
  const policy = fc.record({
    audiences: fc.constantFrom<ReadonlySet<string> | null>(
      new Set([AUDIENCE]),
      new Set([AUDIENCE, 'other']),
      null,
    ),
    clockToleranceMs: fc.constantFrom(0, 30_000),
    maxTokenAgeMs: fc.constantFrom(undefined, 600_000),
    maxTokenLifetimeMs: fc.constantFrom(undefined, 3_600_000),
    requiredClaims: fc.constantFrom<readonly string[]>([], ['sub'], ['jti', 'client_id']),
    identifierClaims: fc.constantFrom<readonly string[]>([], ['sub', 'client_id', 'jti']),
  })
  return fc.record({ claims, policy, offsetMs: fc.integer({ min: 0, max: 999 }) })
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value)
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'string')

/** RFC 7519 §4.1 and the design's claim rules, written out independently of `claims.ts`. */
function claimsAcceptable(
  claims: Record<string, unknown>,
  policy: ClaimsPolicy,
  nowMs: number,
): boolean {
  const { aud, exp, nbf, iat } = claims
  const tolerance = policy.clockToleranceMs
  const audOk =
    policy.audiences === null
      ? aud === undefined || typeof aud === 'string' || (isStringArray(aud) && aud.length > 0)
      : typeof aud === 'string'
        ? policy.audiences.has(aud)
        : isStringArray(aud) && aud.some((entry) => policy.audiences?.has(entry) === true)
  if (!audOk) return false
  if (!isFiniteNumber(exp) || exp * 1000 <= nowMs - tolerance) return false
  if (nbf !== undefined && (!isFiniteNumber(nbf) || nbf * 1000 > nowMs + tolerance)) return false
  if (iat !== undefined && (!isFiniteNumber(iat) || iat * 1000 > nowMs + tolerance)) return false
  if (policy.maxTokenAgeMs !== undefined) {
    if (!isFiniteNumber(iat) || iat * 1000 + policy.maxTokenAgeMs < nowMs - tolerance) return false
  }
  if (policy.maxTokenLifetimeMs !== undefined) {
    if (!isFiniteNumber(iat) || (exp - iat) * 1000 > policy.maxTokenLifetimeMs) return false
  }
  if (policy.requiredClaims.some((name) => claims[name] === undefined || claims[name] === null))
    return false
  // The members keyward copies into a VerifiedToken must have the type it promises.
  for (const name of ['sub', 'client_id', 'azp', 'jti', 'scope']) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') return false
  }
  // RFC 9068 profile: identifiers are non-empty strings of at most 255 UTF-16 code units.
  for (const name of policy.identifierClaims) {
    const value = claims[name]
    if (
      value !== undefined &&
      (typeof value !== 'string' || value.length < 1 || value.length > 255)
    )
      return false
  }
  const { scp, permissions } = claims
  if (scp !== undefined && typeof scp !== 'string' && !isStringArray(scp)) return false
  if (permissions !== undefined && !isStringArray(permissions)) return false
  return true
}

/** Claim checks and scope normalisation agree with the independent oracle, both ways. */
export function claimsTarget(): FuzzTarget<ClaimsCase> {
  return {
    name: 'checkClaims + normaliseScopes (claim checks)',
    arbitrary: claimsCase(),
    check({ claims, policy, offsetMs }) {
      const nowMs = Math.floor(Date.now() / 1000) * 1000 + offsetMs
      const expected = claimsAcceptable(claims, policy, nowMs)
      let passed = false
      try {
        checkClaims(claims, policy, nowMs)
        normaliseScopes(claims)
        passed = true
      } catch (error) {
        const bad = thrownViolation(error)
        if (bad !== undefined) return Promise.resolve(bad)
      }
      if (passed && !expected) {
        return Promise.resolve({
          kind: 'accepted_invalid',
          detail: JSON.stringify({ claims, nowMs }),
        })
      }
      if (!passed && expected) {
        return Promise.resolve({
          kind: 'rejected_valid',
          detail: JSON.stringify({ claims, nowMs }),
        })
      }
      return Promise.resolve(undefined)
    },
  }
}
