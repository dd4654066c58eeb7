import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ALGORITHMS } from '../src/algorithms.js'
import { DEFAULTS } from '../src/defaults.js'
import { JWKS_OPTION_NAMES, resolveOptions, VERIFIER_OPTION_NAMES } from '../src/resolve-options.js'

// Every stated default of keyward, in TSDoc and in the docs, is checked against DEFAULTS.

const root = new URL('../../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

/** DEFAULTS by option name as the docs write it: `jwks.timeoutMs`, `optional`. */
const DEFAULT_BY_NAME = new Map<string, unknown>()
for (const [key, value] of Object.entries(DEFAULTS)) {
  if (key === 'jwks') {
    for (const [name, inner] of Object.entries(DEFAULTS.jwks)) {
      DEFAULT_BY_NAME.set(`jwks.${name}`, inner)
    }
  } else if (key === 'dpop' || key === 'dpopNonce') {
    const prefix = key === 'dpop' ? 'dpop.' : 'dpop.nonce.'
    for (const [name, inner] of Object.entries(value as object)) {
      DEFAULT_BY_NAME.set(prefix + name, inner)
    }
  } else if (key === 'authenticate' || key === 'protectedResourceMetadata') {
    for (const [name, inner] of Object.entries(value as object)) DEFAULT_BY_NAME.set(name, inner)
  } else {
    DEFAULT_BY_NAME.set(key, value)
  }
}

/** Options of other packages, with defaults of their own. */
const ADAPTER_OWNED = new Set(['isGlobal', 'unguardedRoutes'])
/** Every option name the docs may state a default for. */
const KNOWN_NAMES = new Set([
  ...VERIFIER_OPTION_NAMES,
  ...JWKS_OPTION_NAMES.map((name) => `jwks.${name}`),
  ...DEFAULT_BY_NAME.keys(),
  ...ADAPTER_OWNED,
  // DPoP options without a default of their own.
  'dpop.publicBaseUrl',
  'dpop.nonce.secret',
])
/** The options without a default (checked below). */
const REQUIRED = new Set(['issuer', 'audience'])
/** Default cells that state no value. */
const NO_VALUE = new Set(['required', '—', 'none', 'discovered'])

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }
const SIZE_UNITS: Readonly<Record<string, number>> = { KiB: 1024, MiB: 1024 * 1024 }

/** The first number in `text`, with its unit (`30 s`, `512 KiB`) applied. */
function firstQuantity(text: string): number | undefined {
  const match = /(\d[\d_,]*)\s*(ms|s|min|h|KiB|MiB)?\b/.exec(text)
  if (match === null) return undefined
  const number = Number(match[1]?.replaceAll(/[_,]/g, ''))
  const unit = match[2]
  return number * (unit === undefined ? 1 : (UNITS[unit] ?? SIZE_UNITS[unit] ?? Number.NaN))
}

/** Whether a stated default (a `@defaultValue` or a README cell) says `value`. */
function describes(stated: string, value: unknown, name: string): boolean {
  const text = stated.replaceAll('`', '').trim()
  if (typeof value === 'number') return firstQuantity(text) === value
  if (typeof value === 'boolean') return text.split(/\s/)[0] === String(value)
  if (typeof value === 'string') return text.startsWith(`'${value}'`)
  if (typeof value === 'function') {
    // A path from the global object: `Date.now`, `globalThis.fetch`.
    const path = text.split(/[\s,(]/)[0] ?? ''
    const target: unknown = path
      .split('.')
      .reduce<unknown>((object, key) => (object as Record<string, unknown>)[key], globalThis)
    return (
      typeof target === 'function' && (value === target || value.name === `bound ${target.name}`)
    )
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return text.startsWith('[]')
    // "all asymmetric": true only while the default is every supported algorithm.
    if (name === 'algorithms' && /\b(all|every)\b.*\basymmetric\b/.test(text)) {
      return value.length === Object.keys(ALGORITHMS).length
    }
    return value.every((entry) => new RegExp(`(^|[^\\w+-])${escape(String(entry))}\\b`).test(text))
  }
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) {
    return text.startsWith('{}')
  }
  // A global object itself (`logger`: `console`).
  if (typeof value === 'object' && value !== null) {
    const path = text.split(/[\s,(]/)[0] ?? ''
    return (globalThis as Record<string, unknown>)[path] === value
  }
  return false
}

function escape(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

interface StatedDefault {
  readonly where: string
  readonly name: string
  readonly stated: string | undefined
}

/** Interfaces whose members are nested options. */
const INTERFACE_PREFIXES: Readonly<Record<string, string>> = {
  JwksOptions: 'jwks.',
  DpopOptions: 'dpop.',
  DpopNonceOptions: 'dpop.nonce.',
}

/** Every documented property of the interfaces in `path`, with its `@defaultValue`. */
function tsdocDefaults(path: string): StatedDefault[] {
  const source = ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true)
  const found: StatedDefault[] = []
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return
    const prefix = INTERFACE_PREFIXES[node.name.text] ?? ''
    for (const member of node.members) {
      if (!ts.isPropertySignature(member)) continue
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'defaultValue')
      found.push({
        where: `${path} ${node.name.text}`,
        name: prefix + member.name.getText(source),
        stated: tag === undefined ? undefined : (ts.getTextOfJSDocComment(tag.comment) ?? ''),
      })
    }
  })
  return found
}

/** The rows of every options table (header `option | default | …`) in a Markdown file. */
function tableDefaults(path: string, defaultPrefix = ''): StatedDefault[] {
  const found: StatedDefault[] = []
  let inTable = false
  for (const line of read(path).split('\n')) {
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim())
    if (cells.length < 2) {
      inTable = false
      continue
    }
    const [first = '', second = ''] = cells
    if (/^option\b/i.test(first) && /^default$/i.test(second)) {
      inTable = true
      continue
    }
    if (!inTable || /^-+$/.test(first)) continue
    const names = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '')
    // SECURITY.md: "(`jwks.*` unless noted)"; "(verifier)" notes a top-level option.
    const prefix = /\((per issuer or )?verifier\)/.test(first) ? '' : defaultPrefix
    const values = names.length === 1 ? [second] : second.split(/\s*(?:,|\/)\s*/)
    names.forEach((name, index) => {
      found.push({
        where: `${path}: ${first}`,
        name: prefix + name,
        stated: values.length === 1 ? values[0] : values[index],
      })
    })
  }
  return found
}

const TSDOC_FILES = [
  'packages/core/src/options.ts',
  'packages/core/src/hook-options.ts',
  'packages/core/src/extract-bearer-token.ts',
  'packages/core/src/protected-resource-metadata.ts',
  'packages/express/src/bearer-auth.ts',
  'packages/koa/src/bearer-auth.ts',
  'packages/fastify/src/bearer-auth.ts',
]
const README_FILES = [
  'packages/core/README.md',
  'packages/express/README.md',
  'packages/koa/README.md',
  'packages/nestjs/README.md',
  'packages/fastify/README.md',
  'README.md',
]

describe('the table of defaults', () => {
  it('is frozen, nested tables included', () => {
    expect([
      Object.isFrozen(DEFAULTS),
      Object.isFrozen(DEFAULTS.jwks),
      Object.isFrozen(DEFAULTS.fetchHeaders),
      Object.isFrozen(DEFAULTS.jwksOrigins),
      Object.isFrozen(DEFAULTS.typ),
      Object.isFrozen(DEFAULTS.algorithms),
      Object.isFrozen(DEFAULTS.authenticate),
    ]).toEqual([true, true, true, true, true, true, true])
  })

  it('is what a verifier without options gets', () => {
    const resolved = resolveOptions({
      issuer: 'https://issuer.test/',
      audience: 'https://api.test',
      jwksUri: 'https://issuer.test/jwks',
    })
    expect({
      jwks: resolved.jwks,
      maxTokenBytes: resolved.maxTokenBytes,
      verifiedTokenCacheSize: resolved.verifiedTokenCacheSize,
      signatureThreads: resolved.signatureThreads,
      allowQueryToken: resolved.allowQueryToken,
      allowBodyToken: resolved.allowBodyToken,
      now: resolved.now,
      random: resolved.random,
      clockToleranceMs: resolved.issuers[0]?.claims.clockToleranceMs,
      algorithms: [...(resolved.issuers[0]?.header.algorithms ?? [])],
      requiredClaims: resolved.issuers[0]?.claims.requiredClaims,
    }).toEqual({
      jwks: { ...DEFAULTS.jwks, fetch: expect.any(Function) },
      maxTokenBytes: DEFAULTS.maxTokenBytes,
      verifiedTokenCacheSize: DEFAULTS.verifiedTokenCacheSize,
      signatureThreads: DEFAULTS.signatureThreads,
      allowQueryToken: DEFAULTS.allowQueryToken,
      allowBodyToken: DEFAULTS.allowBodyToken,
      now: Date.now,
      random: Math.random,
      clockToleranceMs: DEFAULTS.clockToleranceMs,
      algorithms: DEFAULTS.algorithms,
      requiredClaims: DEFAULTS.requiredClaims,
    })
  })
})

describe('required options', () => {
  it.each([...REQUIRED])('%s is required: a TypeError names it when absent', (name) => {
    const options = Object.entries({
      issuer: 'https://issuer.test/',
      audience: 'https://api.test',
      jwksUri: 'https://issuer.test/jwks',
    }).filter(([key]) => key !== name)
    expect(() => resolveOptions(Object.fromEntries(options))).toThrow(new RegExp(`"${name}"`))
  })
})

describe('TSDoc defaults', () => {
  const stated = TSDOC_FILES.flatMap(tsdocDefaults)

  it.each(TSDOC_FILES)('%s states only defaults the table holds, as it holds them', (file) => {
    const wrong = stated
      .filter((entry) => entry.where.startsWith(file) && entry.stated !== undefined)
      .filter(
        (entry) =>
          !DEFAULT_BY_NAME.has(entry.name) ||
          !describes(entry.stated ?? '', DEFAULT_BY_NAME.get(entry.name), entry.name),
      )
      .map((entry) => `${entry.where}.${entry.name}: ${entry.stated ?? ''}`)
    expect(wrong).toEqual([])
  })

  it('states every default of the table in options.ts or protected-resource-metadata.ts', () => {
    const documented = new Set(
      stated.filter((entry) => entry.stated !== undefined).map((entry) => entry.name),
    )
    expect([...DEFAULT_BY_NAME.keys()].filter((name) => !documented.has(name))).toEqual([])
  })
})

describe('README defaults', () => {
  const rows = [
    ...README_FILES.flatMap((file) => tableDefaults(file)),
    ...tableDefaults('SECURITY.md', 'jwks.'),
  ]

  it('finds the options tables (control for the checks below)', () => {
    const files = new Set(rows.map((row) => row.where.split(':')[0]))
    expect([...files].sort()).toEqual([
      'SECURITY.md',
      'packages/core/README.md',
      'packages/express/README.md',
      'packages/fastify/README.md',
      'packages/koa/README.md',
      'packages/nestjs/README.md',
    ])
  })

  it('documents only options that exist', () => {
    expect(rows.filter((row) => !KNOWN_NAMES.has(row.name)).map((row) => row.where)).toEqual([])
  })

  it('states every default as the table holds it', () => {
    const wrong = rows
      .filter((row) => !ADAPTER_OWNED.has(row.name))
      // The adapters' own challengeScopes (bearerAuth's second argument) defaults to the verifier's.
      .filter(
        (row) =>
          !(row.name === 'challengeScopes' && row.stated === "the verifier's `challengeScopes`"),
      )
      // KeywardModule replaces core's console logger with Nest's Logger (keyward.module.ts).
      .filter(
        (row) => !(row.name === 'logger' && row.where.startsWith('packages/nestjs/README.md')),
      )
      .filter((row) => {
        const stated = (row.stated ?? '').replaceAll('`', '')
        // SECURITY.md's summary row for the claim and header checks.
        if (stated === 'permissive within the rules above') return false
        if (REQUIRED.has(row.name) !== (stated === 'required')) return true
        if (!DEFAULT_BY_NAME.has(row.name)) return !NO_VALUE.has(stated) && stated !== 'see core'
        return !describes(row.stated ?? '', DEFAULT_BY_NAME.get(row.name), row.name)
      })
      .map((row) => `${row.where} → ${row.name}: ${row.stated ?? ''}`)
    expect(wrong).toEqual([])
  })

  it('documents every verifier option in the core README options table', () => {
    const documented = new Set(tableDefaults('packages/core/README.md').map((row) => row.name))
    const names = [...VERIFIER_OPTION_NAMES, ...JWKS_OPTION_NAMES.map((name) => `jwks.${name}`)]
    expect(names.filter((name) => name !== 'jwks' && !documented.has(name))).toEqual([])
  })

  it('mentions every other option with a default in the core README', () => {
    const readme = read('packages/core/README.md')
    const others = [
      ...Object.keys(DEFAULTS.authenticate),
      ...Object.keys(DEFAULTS.protectedResourceMetadata),
    ]
    expect(others.filter((name) => !readme.includes(`\`${name}\``))).toEqual([])
  })
})
