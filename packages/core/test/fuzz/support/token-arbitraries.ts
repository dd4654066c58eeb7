import fc from 'fast-check'

/** One edit of a token string, as data so that a counterexample says what was done. */
export type TokenEdit =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly char: string }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'shuffle'; readonly order: readonly number[] }
  | { readonly kind: 'segments-of'; readonly from: readonly [number, number, number] }
  | {
      readonly kind: 'splice'
      readonly other: number
      readonly cutA: number
      readonly cutB: number
    }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }

// Characters that matter to a JWS parser: its alphabet, separators, padding, the other base64
// alphabet, whitespace, NUL, Latin-1, a lone surrogate and an astral character.
const INTERESTING_CHARS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
  '.',
  '=',
  '+',
  '/',
  ' ',
  '\t',
  '\n',
  '\u0000',
  '\u00a0',
  '\u00e9',
  '\ufeff',
  '\ud800',
  '\u{1f600}',
]

const editArbitrary: fc.Arbitrary<TokenEdit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 15 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      at: fc.nat(),
      char: fc.constantFrom(...INTERESTING_CHARS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...INTERESTING_CHARS), fc.string({ maxLength: 4 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('shuffle' as const),
      order: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('segments-of' as const),
      from: fc.tuple(fc.nat(), fc.nat(), fc.nat()),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('splice' as const),
      other: fc.nat(),
      cutA: fc.nat(),
      cutB: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  },
)

function at(length: number, index: number): number {
  return length === 0 ? 0 : index % length
}

/** Applies one edit; `valid` supplies the other tokens for splices. */
export function applyEdit(token: string, edit: TokenEdit, valid: readonly string[]): string {
  const n = token.length
  const pick = (i: number): string => valid[at(valid.length, i)] ?? token
  switch (edit.kind) {
    case 'flip': {
      if (n === 0) return token
      const i = at(n, edit.at)
      return (
        token.slice(0, i) +
        String.fromCharCode(token.charCodeAt(i) ^ (1 << edit.bit)) +
        token.slice(i + 1)
      )
    }
    case 'set': {
      const i = at(n, edit.at)
      return token.slice(0, i) + edit.char + token.slice(i + 1)
    }
    case 'insert': {
      const i = at(n + 1, edit.at)
      return token.slice(0, i) + edit.text + token.slice(i)
    }
    case 'delete': {
      const i = at(n, edit.at)
      return token.slice(0, i) + token.slice(i + edit.count)
    }
    case 'truncate':
      return token.slice(0, at(n, edit.at))
    case 'shuffle': {
      const parts = token.split('.')
      return edit.order.map((i) => parts[i] ?? '').join('.')
    }
    case 'segments-of': {
      const [h, p, s] = edit.from
      return [pick(h).split('.')[0], pick(p).split('.')[1], pick(s).split('.')[2]].join('.')
    }
    case 'splice': {
      const other = pick(edit.other)
      return token.slice(0, at(n + 1, edit.cutA)) + other.slice(at(other.length + 1, edit.cutB))
    }
    case 'swap': {
      if (n < 2) return token
      const chars = Array.from(token)
      const a = at(chars.length, edit.a)
      const b = at(chars.length, edit.b)
      ;[chars[a], chars[b]] = [chars[b] ?? '', chars[a] ?? '']
      return chars.join('')
    }
  }
}

/** A valid token with one to four edits: bit flips, character edits, segment shuffles, splices. */
export function mutatedToken(valid: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(), fc.array(editArbitrary, { minLength: 1, maxLength: 4 }))
    .map(([base, edits]) =>
      edits.reduce(
        (token, edit) => applyEdit(token, edit, valid),
        valid[at(valid.length, base)] ?? '',
      ),
    )
}

const b64 = (text: string | Uint8Array): string =>
  (typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text)).toString('base64url')

const anyJson = fc.jsonValue({ maxDepth: 3 })

/** NumericDate-ish values: near now, far, fractional, negative, wrong types. */
function timeValue(nowS: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer({ min: nowS - 100_000, max: nowS + 100_000 }),
    fc.double({ min: -1e12, max: 1e12, noNaN: true }),
    fc.constantFrom(0, -0, -1, 1e300, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1),
    fc.string({ maxLength: 12 }),
    anyJson,
  )
}

/** Text of a JSON object, sometimes with a duplicated member, a __proto__ member or a BOM. */
function objectText(value: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc
    .tuple(value, fc.constantFrom('plain', 'plain', 'plain', 'duplicate', 'proto', 'bom'), anyJson)
    .map(([object, twist, extra]) => {
      const text = JSON.stringify(object)
      const first = Object.keys(object)[0]
      switch (twist) {
        case 'duplicate':
          return first === undefined
            ? text
            : text.replace(/}$/, `,${JSON.stringify(first)}:${JSON.stringify(extra)}}`)
        case 'proto':
          return text.replace(
            /^{/,
            `{"__proto__":${JSON.stringify(extra)}${first === undefined ? '' : ','}`,
          )
        case 'bom':
          return `\ufeff${text}`
        default:
          return text
      }
    })
}

export interface StructuredTokenContext {
  readonly issuer: string
  readonly audience: string
  readonly kids: readonly string[]
  readonly valid: readonly string[]
  readonly nowS: number
}

/**
 * Three canonical base64url segments around hostile-but-plausible JSON: algorithms near the
 * allowlist, real and fake kids, `crit`/`b64`/`cty`, claims of every shape, and signatures that
 * are random, of the right length, or real ones taken from other tokens. Reaches the header
 * policy, the claim checks and the signature check, not just the decoder.
 */
export function structuredToken(ctx: StructuredTokenContext): fc.Arbitrary<string> {
  const header = fc.record(
    {
      alg: fc.oneof(
        fc.constantFrom(
          'RS256',
          'PS256',
          'ES256',
          'ES384',
          'ES512',
          'EdDSA',
          'Ed25519',
          'RS512',
          'none',
          'HS256',
          'None',
          'rs256',
        ),
        anyJson,
      ),
      kid: fc.oneof(fc.constantFrom(...ctx.kids), fc.string({ maxLength: 20 }), anyJson),
      typ: fc.oneof(
        fc.constantFrom('at+jwt', 'JWT', 'application/at+jwt', 'dpop+jwt', 'logout+jwt'),
        anyJson,
      ),
      crit: fc.oneof(fc.constant(['b64']), anyJson),
      b64: fc.oneof(fc.boolean(), anyJson),
      cty: fc.oneof(fc.constantFrom('JWT', 'json'), anyJson),
      jku: fc.constant('https://attacker.test/jwks.json'),
    },
    { requiredKeys: [] },
  )
  const claims = fc.record(
    {
      iss: fc.oneof(
        fc.constant(ctx.issuer),
        fc.constant(ctx.issuer.slice(0, -1)),
        fc.string({ maxLength: 12 }),
        anyJson,
      ),
      aud: fc.oneof(
        fc.constant(ctx.audience),
        fc.constant([ctx.audience]),
        fc.string({ maxLength: 12 }),
        anyJson,
      ),
      exp: timeValue(ctx.nowS),
      nbf: timeValue(ctx.nowS),
      iat: timeValue(ctx.nowS),
      sub: fc.oneof(fc.string({ maxLength: 12 }), anyJson),
      client_id: fc.oneof(fc.string({ maxLength: 12 }), anyJson),
      scope: fc.oneof(fc.constantFrom('read:things', 'admin', ''), anyJson),
      scp: anyJson,
      permissions: anyJson,
      jti: fc.oneof(fc.uuid(), anyJson),
    },
    { requiredKeys: [] },
  )
  const signature = fc.oneof(
    fc.constantFrom(...ctx.valid.map((token) => token.split('.')[2] ?? '')),
    fc.uint8Array({ maxLength: 300 }).map(b64),
    fc
      .constantFrom(64, 96, 132, 256)
      .chain((length) => fc.uint8Array({ minLength: length, maxLength: length }))
      .map(b64),
    fc.string({ maxLength: 20 }),
  )
  const segment = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 6, arbitrary: text.map(b64) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map(b64) },
    )
  return fc
    .tuple(segment(objectText(header)), segment(objectText(claims)), signature)
    .map(([h, p, s]) => `${h}.${p}.${s}`)
}

/** Any string at all, from a few alphabets. */
export const randomToken: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}$/),
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9_=+/-]{0,30}$/), { maxLength: 7 })
    .map((parts) => parts.join('.')),
)
