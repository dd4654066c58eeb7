import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  startJwksServer,
  symmetricJwk,
  weakRsaJwk,
  type JwksServer,
  type TestIssuer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHECKS, type CheckId } from '../src/audit-checks.js'
import { selfSignedCertificate } from './support/certificate.js'
import { runCli, type CliRun } from './support/cli.js'
import {
  baselineIssuer,
  startFixtureIssuer,
  type FixtureOptions,
  type Jwk,
} from './support/fixture-issuer.js'

let base: TestIssuer
/** Serves the baseline keys from another origin. */
let mirror: JwksServer
/** What the audit says about the well-configured fixture issuer. */
let baselineIds: string[]

const BASELINE_IDS = [
  'metadata.issuer_loopback_http',
  'metadata.jwks_uri_loopback_http',
  'metadata.cache_control_missing',
]

interface AuditDocument {
  passed: boolean
  failOn: string
  counts: Record<string, number>
  findings: {
    id: CheckId
    severity: string
    subject: string
    seen: string
    why: string
    reference: string
    fix: string
    title: string
  }[]
  keys: {
    index: number
    kid: string | null
    usable: boolean
    dropReason: string | null
    thumbprint: string | null
  }[]
}

async function auditJson(
  url: string,
  ...flags: string[]
): Promise<{ run: CliRun; document: AuditDocument }> {
  const run = await runCli(['audit', url, '--json', ...flags])
  return { run, document: JSON.parse(run.stdout) as AuditDocument }
}

const ids = (document: AuditDocument): string[] => document.findings.map((item) => item.id)

beforeAll(async () => {
  base = await baselineIssuer()
  mirror = await startJwksServer({ issuer: base })
  mirror.setHeaders({ 'cache-control': 'public, max-age=900' })
  mirror.setValidators({ etag: true })
  const fixture = await startFixtureIssuer(base)
  try {
    baselineIds = ids((await auditJson(fixture.url)).document)
  } finally {
    await fixture.close()
  }
})

afterAll(async () => {
  await mirror.close()
})

const ecKey = (): Jwk => base.jwks().keys[1]!
const ecPrivateKey = (): KeyObject => base.keys[1]!.privateKey
const ecPublicKey = (): KeyObject => base.keys[1]!.publicKey
/** A copy of `jwk` without the member `name`. */
const without = (jwk: Jwk, name: string): Jwk =>
  Object.fromEntries(Object.entries(jwk).filter(([member]) => member !== name))
const withKey = (extra: unknown) => (keys: Jwk[]) => [...keys, extra]
const day = 86_400_000

/** One fixture per finding: how the issuer departs from the baseline, and what the audit adds. */
const FIXTURES: {
  name: string
  fixture: () => FixtureOptions | Promise<FixtureOptions>
  adds: CheckId[]
  flags?: string[]
}[] = [
  // Metadata.
  {
    name: 'metadata only at the RFC 8414 URL',
    fixture: () => ({ discoveryPaths: ['/.well-known/oauth-authorization-server'] }),
    adds: ['metadata.discovery_fallback'],
  },
  {
    name: 'metadata naming another issuer',
    fixture: () => ({ metadata: (doc) => ({ ...doc, issuer: `${String(doc.issuer)}/` }) }),
    adds: ['metadata.issuer_mismatch'],
  },
  {
    name: 'metadata without jwks_uri',
    fixture: () => ({ metadata: (doc) => ({ issuer: doc.issuer }) }),
    adds: ['metadata.jwks_uri_missing'],
  },
  {
    name: 'a jwks_uri that is not a URL',
    fixture: () => ({ metadata: (doc) => ({ ...doc, jwks_uri: 42 }) }),
    adds: ['metadata.jwks_uri_not_https'],
  },
  {
    name: 'a plain-http jwks_uri off loopback',
    fixture: () => ({ metadata: (doc) => ({ ...doc, jwks_uri: 'http://keys.example.com/jwks' }) }),
    adds: ['metadata.jwks_uri_not_https', 'metadata.jwks_uri_cross_origin'],
  },
  {
    name: 'a jwks_uri on another origin',
    fixture: () => ({
      metadata: (doc) => ({ ...doc, jwks_uri: mirror.url }),
    }),
    adds: ['metadata.jwks_uri_cross_origin'],
  },
  {
    name: "'none' for access tokens",
    fixture: () => ({
      metadata: (doc) => ({ ...doc, access_token_signing_alg_values_supported: ['RS256', 'none'] }),
    }),
    adds: ['metadata.access_token_alg_none'],
  },
  {
    name: 'HS256 for access tokens',
    fixture: () => ({
      metadata: (doc) => ({ ...doc, access_token_signing_alg_values_supported: ['HS256'] }),
    }),
    adds: ['metadata.access_token_alg_symmetric'],
  },
  {
    name: "'none' for ID tokens",
    fixture: () => ({
      metadata: (doc) => ({ ...doc, id_token_signing_alg_values_supported: ['RS256', 'none'] }),
    }),
    adds: ['metadata.id_token_alg_none'],
  },
  {
    name: 'HS256 for ID tokens',
    fixture: () => ({
      metadata: (doc) => ({ ...doc, id_token_signing_alg_values_supported: ['RS256', 'HS256'] }),
    }),
    adds: ['metadata.id_token_alg_symmetric'],
  },

  // The JWK Set response.
  {
    name: 'a JWK Set host that resets the connection',
    fixture: () => ({ fault: { kind: 'reset' } }),
    adds: ['jwks.unreachable'],
  },
  {
    name: 'a JWK Set that never answers',
    fixture: () => ({ fault: { kind: 'hang' } }),
    adds: ['jwks.timeout'],
    flags: ['--timeout', '2s'],
  },
  {
    name: 'a JWK Set answering 500',
    fixture: () => ({ fault: { kind: 'status', status: 500 } }),
    adds: ['jwks.http_status'],
  },
  {
    name: 'a redirecting jwks_uri',
    fixture: () => ({ fault: { kind: 'redirect', location: 'https://cdn.example.com/jwks.json' } }),
    adds: ['jwks.redirect'],
  },
  {
    name: 'a gzip bomb',
    fixture: () => ({ fault: { kind: 'gzip-bomb', decompressedBytes: 1024 * 1024 } }),
    adds: ['jwks.too_large'],
  },
  {
    name: 'an HTML page',
    fixture: () => ({ fault: { kind: 'non-json' } }),
    adds: ['jwks.invalid_json'],
  },
  {
    name: 'JSON that is not a JWK Set',
    fixture: () => ({ jwks: { jwks: [] } }),
    adds: ['jwks.invalid_shape'],
  },
  { name: 'an empty JWK Set', fixture: () => ({ jwks: { keys: [] } }), adds: ['jwks.empty'] },
  {
    name: 'only keys nobody can verify with',
    fixture: async () => {
      const only = await encryptionJwk()
      return { keys: () => [only] }
    },
    adds: ['key.use_enc', 'jwks.no_usable_keys'],
  },
  {
    name: 'a text/plain JWK Set',
    fixture: () => ({
      headers: { 'cache-control': 'public, max-age=900', 'content-type': 'text/plain' },
    }),
    adds: ['jwks.content_type'],
  },
  {
    name: 'a 70 KB JWK Set, uncompressed',
    fixture: () => ({ jwks: { keys: base.jwks().keys, padding: 'x'.repeat(70_000) } }),
    adds: ['jwks.large', 'jwks.not_compressed'],
  },
  {
    name: 'a 20 KB JWK Set, uncompressed',
    fixture: () => ({ jwks: { keys: base.jwks().keys, padding: 'x'.repeat(20_000) } }),
    adds: ['jwks.not_compressed'],
  },
  {
    name: 'a JWK Set taking 1.2 s',
    fixture: () => ({ fault: { kind: 'delay', ms: 1200 } }),
    adds: ['jwks.slow'],
  },
  { name: 'no Cache-Control', fixture: () => ({ headers: {} }), adds: ['jwks.max_age_missing'] },
  {
    name: 'max-age=30',
    fixture: () => ({ headers: { 'cache-control': 'max-age=30' } }),
    adds: ['jwks.max_age_short'],
  },
  {
    name: 'no-store',
    fixture: () => ({ headers: { 'cache-control': 'no-store' } }),
    adds: ['jwks.max_age_short'],
  },
  {
    name: 'max-age of two days',
    fixture: () => ({ headers: { 'cache-control': 'public, max-age=172800' } }),
    adds: ['jwks.max_age_long'],
  },
  { name: 'no validators', fixture: () => ({ etag: false }), adds: ['jwks.validators_missing'] },
  {
    name: 'a single signing key',
    fixture: () => ({ keys: (keys) => keys.slice(0, 1) }),
    adds: ['jwks.single_signing_key'],
  },
  {
    name: '101 keys',
    fixture: () => ({
      keys: () => Array.from({ length: 101 }, (_, i) => ({ ...ecKey(), kid: `ec-${String(i)}` })),
    }),
    // 101 EC keys are 20 KB.
    adds: ['jwks.too_many_keys', 'jwks.not_compressed'],
  },

  // Each key.
  {
    name: 'a published private key',
    fixture: async () => ({ keys: withKey(await privateJwk('ES256')) }),
    adds: ['key.private_material'],
  },
  {
    name: 'a symmetric key',
    fixture: () => ({ keys: withKey(symmetricJwk()) }),
    adds: ['key.symmetric'],
  },
  {
    name: 'a public key marked HS256',
    fixture: () => ({ keys: withKey({ ...ecKey(), kid: 'hs', alg: 'HS256' }) }),
    adds: ['key.alg_symmetric'],
  },
  {
    name: 'an RSA key with e = 1',
    fixture: async () => ({ keys: withKey(await rsaJwkWithExponent(1)) }),
    adds: ['key.rsa_exponent_weak'],
  },
  {
    name: 'a small-order Ed25519 key',
    fixture: () => ({
      keys: withKey({
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.alloc(32).toString('base64url'),
        kid: 'ed',
        alg: 'EdDSA',
        use: 'sig',
      }),
    }),
    adds: ['key.small_order'],
  },
  {
    name: 'a 1024-bit RSA key',
    fixture: async () => ({ keys: withKey(await weakRsaJwk(1024)) }),
    adds: ['key.rsa_modulus_small'],
  },
  {
    name: 'an EC point off the curve',
    fixture: () => ({
      keys: withKey({ ...ecKey(), kid: 'off-curve', y: Buffer.alloc(32, 1).toString('base64url') }),
    }),
    adds: ['key.invalid'],
  },
  {
    name: 'a P-256 key marked ES384',
    fixture: () => ({ keys: withKey({ ...ecKey(), kid: 'es384', alg: 'ES384' }) }),
    adds: ['key.alg_mismatch'],
  },
  {
    name: 'two keys under one kid',
    fixture: () => ({ keys: (keys) => [...keys, { ...ecKey(), kid: keys[0]?.kid }] }),
    adds: ['key.kid_duplicate'],
  },
  {
    name: 'a numeric kid',
    fixture: () => ({ keys: withKey({ ...ecKey(), kid: 42 }) }),
    adds: ['key.kid_invalid'],
  },
  {
    name: 'an x5c certificate of another key',
    fixture: () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const x5c = [
        selfSignedCertificate({
          publicKey: other.publicKey,
          signer: other.privateKey,
          notBefore: new Date(Date.now() - day),
          notAfter: new Date(Date.now() + 365 * day),
        }),
      ]
      return { keys: (keys) => [keys[0], { ...keys[1], x5c }] }
    },
    adds: ['key.x5c_mismatch'],
  },
  {
    name: 'a 16401-bit RSA modulus',
    fixture: () => {
      const n = Buffer.alloc(2051, 0xff)
      n[0] = 0x01
      return {
        keys: withKey({
          kty: 'RSA',
          n: n.toString('base64url'),
          e: 'AQAB',
          kid: 'huge',
          alg: 'RS256',
          use: 'sig',
        }),
      }
    },
    adds: ['key.rsa_modulus_large'],
  },
  {
    name: 'an RSA exponent of 2^40 + 1',
    fixture: async () => ({ keys: withKey(await rsaJwkWithExponent(2n ** 40n + 1n)) }),
    adds: ['key.rsa_exponent_large'],
  },
  {
    name: 'an RSA exponent of 3',
    fixture: async () => ({ keys: withKey(await rsaJwkWithExponent(3)) }),
    adds: ['key.rsa_exponent_unusual'],
  },
  {
    name: 'an Ed448 signing key',
    fixture: () => {
      const { publicKey } = generateKeyPairSync('ed448')
      return {
        keys: withKey({
          ...publicKey.export({ format: 'jwk' }),
          kid: 'ed448',
          alg: 'EdDSA',
          use: 'sig',
        }),
      }
    },
    adds: ['key.curve_unsupported'],
  },
  {
    name: 'an unknown kty',
    fixture: () => ({
      keys: withKey({ kty: 'AKP', kid: 'pq', alg: 'ML-DSA-44', use: 'sig', pub: 'AAAA' }),
    }),
    adds: ['key.kty_unsupported'],
  },
  {
    name: 'an unsupported algorithm',
    fixture: () => ({ keys: withKey({ ...base.jwks().keys[0], kid: 'rs1', alg: 'RS1' }) }),
    adds: ['key.alg_unsupported'],
  },
  {
    name: "key_ops ['sign']",
    fixture: () => {
      const key = without(ecKey(), 'use')
      return { keys: withKey({ ...key, kid: 'ops', key_ops: ['sign'] }) }
    },
    adds: ['key.key_ops_incoherent'],
  },
  {
    name: 'a key without kid',
    fixture: () => {
      const key = without(ecKey(), 'kid')
      return { keys: (keys) => [keys[0], key] }
    },
    adds: ['key.kid_missing'],
  },
  {
    name: 'an x5c that is not base64',
    fixture: () => ({ keys: (keys) => [keys[0], { ...keys[1], x5c: ['not-base64url_'] }] }),
    adds: ['key.x5c_invalid'],
  },
  {
    name: 'an expired x5c certificate',
    fixture: () => {
      const x5c = [
        selfSignedCertificate({
          publicKey: ecPublicKey(),
          signer: ecPrivateKey(),
          notBefore: new Date(Date.now() - 400 * day),
          notAfter: new Date(Date.now() - 35 * day),
        }),
      ]
      return { keys: (keys) => [keys[0], { ...keys[1], x5c }] }
    },
    adds: ['key.x5c_outside_validity'],
  },
  {
    name: 'an x5c certificate not yet valid',
    fixture: () => {
      const x5c = [
        selfSignedCertificate({
          publicKey: ecPublicKey(),
          signer: ecPrivateKey(),
          notBefore: new Date(Date.now() + 10 * day),
          notAfter: new Date(Date.now() + 400 * day),
        }),
      ]
      return { keys: (keys) => [keys[0], { ...keys[1], x5c }] }
    },
    adds: ['key.x5c_outside_validity'],
  },
  {
    name: 'a current x5c certificate of the key itself',
    fixture: () => {
      const x5c = [
        selfSignedCertificate({
          publicKey: ecPublicKey(),
          signer: ecPrivateKey(),
          notBefore: new Date(Date.now() - day),
          notAfter: new Date(Date.now() + 365 * day),
        }),
      ]
      return { keys: (keys) => [keys[0], { ...keys[1], x5c }] }
    },
    adds: [],
  },
  {
    name: 'a key without alg',
    fixture: () => {
      const key = without(ecKey(), 'alg')
      return { keys: (keys) => [keys[0], key] }
    },
    adds: ['key.alg_missing'],
  },
  {
    name: 'a key without use',
    fixture: () => {
      const key = without(ecKey(), 'use')
      return { keys: (keys) => [keys[0], key] }
    },
    adds: ['key.use_missing'],
  },
  {
    name: 'an encryption key next to the signing keys',
    fixture: async () => ({ keys: withKey(await encryptionJwk()) }),
    adds: ['key.use_enc'],
  },
]

describe('keyward audit of a well-configured issuer', () => {
  it('reports only plain http on loopback and the metadata cache headers, and exits 0', () => {
    expect(baselineIds).toEqual(BASELINE_IDS)
  })
})

describe('keyward audit, one fixture per finding', () => {
  it.concurrent.for(FIXTURES)(
    '$name: adds $adds',
    async ({ fixture, adds, flags = [] }, { expect }) => {
      const issuer = await startFixtureIssuer(base, await fixture())
      try {
        const { run, document } = await auditJson(issuer.url, ...flags)
        const added = ids(document).filter((id) => !baselineIds.includes(id))
        expect(added.sort()).toEqual([...adds].sort())
        const failing = document.findings.some((item) =>
          ['critical', 'high'].includes(item.severity),
        )
        expect({ status: run.status, stderr: run.stderr, passed: document.passed }).toEqual({
          status: failing ? 1 : 0,
          stderr: '',
          passed: !failing,
        })
        for (const item of document.findings) {
          const spec = CHECKS[item.id]
          expect(item).toMatchObject({
            severity: spec.severity,
            why: spec.why,
            reference: spec.reference,
            fix: spec.fix,
          })
          expect(item.seen).not.toBe('')
        }
      } finally {
        await issuer.close()
      }
    },
  )

  it('covers every check with a fixture, the baseline or the dev issuer test', () => {
    const covered = new Set<string>([
      ...FIXTURES.flatMap((entry) => entry.adds),
      ...BASELINE_IDS,
      'metadata.issuer_not_https',
      // A public issuer cannot be served from loopback: audit-jwks-response.test.ts.
      'metadata.jwks_uri_internal',
    ])
    expect(Object.keys(CHECKS).filter((id) => !covered.has(id))).toEqual([])
  })
})

describe('an issuer keyward cannot fetch from', () => {
  it('reports an http issuer off loopback as critical without any request, and exits 1', async () => {
    const { run, document } = await auditJson('http://auth.example.invalid/')
    expect(ids(document)).toEqual(['metadata.issuer_not_https'])
    expect(run.status).toBe(1)
  })

  it('exits 2 with one line on standard error when no metadata answers', async () => {
    const issuer = await startFixtureIssuer(base, { discoveryPaths: [] })
    try {
      const run = await runCli(['audit', issuer.url])
      expect(run.status).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toBe(
        `keyward audit: ${issuer.url} could not be audited: no metadata found (${issuer.url}/.well-known/openid-configuration: status 404; ${issuer.url}/.well-known/oauth-authorization-server: status 404)\n`,
      )
      const json = await runCli(['audit', issuer.url, '--json'])
      expect(json.status).toBe(2)
      expect(JSON.parse(json.stdout)).toEqual({
        tool: 'keyward',
        command: 'audit',
        schemaVersion: 1,
        issuer: issuer.url,
        error: {
          message: expect.stringMatching(/^no metadata found/) as unknown,
          discovery: [
            expect.objectContaining({ status: 404, failure: 'http_status' }),
            expect.objectContaining({ status: 404, failure: 'http_status' }),
          ],
        },
      })
    } finally {
      await issuer.close()
    }
  })
})

describe('--fail-on', () => {
  let url: string
  let close: () => Promise<void>

  beforeAll(async () => {
    // One medium finding (a kid-less key) and one low (no Cache-Control).
    const kidless = without(base.jwks().keys[1]!, 'kid')
    const issuer = await startFixtureIssuer(base, {
      keys: (keys) => [keys[0], kidless],
      headers: {},
    })
    url = issuer.url
    close = () => issuer.close()
  })

  afterAll(async () => {
    await close()
  })

  it.each([
    ['critical', 0],
    ['high', 0],
    ['medium', 1],
    ['low', 1],
  ])('--fail-on %s exits %i', async (level, status) => {
    const { run, document } = await auditJson(url, '--fail-on', level)
    expect({ status: run.status, failOn: document.failOn, passed: document.passed }).toEqual({
      status,
      failOn: level,
      passed: status === 0,
    })
  })

  it('fails at high by default', async () => {
    const { run, document } = await auditJson(url)
    expect([run.status, document.failOn]).toEqual([0, 'high'])
  })
})

describe('the --json document', () => {
  it('has the documented shape', async () => {
    const issuer = await startFixtureIssuer(base)
    try {
      const { document } = await auditJson(issuer.url)
      const [rsa, ec] = base.jwks().keys
      const summary = {
        url: expect.any(String) as unknown,
        status: 200,
        failure: null,
        errorCode: null,
        contentType: 'application/json',
        contentEncoding: null,
        declaredBytes: expect.any(Number) as unknown,
        bodyBytes: expect.any(Number) as unknown,
        durationMs: expect.any(Number) as unknown,
        location: null,
      }
      expect(document).toEqual({
        tool: 'keyward',
        command: 'audit',
        schemaVersion: 1,
        issuer: issuer.url,
        auditedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        failOn: 'high',
        passed: true,
        counts: { critical: 0, high: 0, medium: 0, low: 0, info: 3 },
        // test-utils serves metadata without Content-Length or cache headers.
        discovery: [
          { ...summary, declaredBytes: null, cacheControl: null, etag: null, lastModified: null },
        ],
        metadata: {
          ...summary,
          declaredBytes: null,
          cacheControl: null,
          etag: null,
          lastModified: null,
        },
        jwksUri: issuer.server.url,
        jwks: {
          ...summary,
          cacheControl: 'public, max-age=900',
          etag: expect.any(String) as unknown,
          lastModified: null,
        },
        keys: [
          {
            index: 0,
            kid: rsa?.kid,
            kty: 'RSA',
            crv: null,
            alg: 'RS256',
            use: 'sig',
            keyOps: null,
            rsaModulusBits: 2048,
            rsaExponent: '65537',
            thumbprint: expect.stringMatching(/^[\w-]{43}$/) as unknown,
            usable: true,
            dropReason: null,
            certificate: null,
          },
          {
            index: 1,
            kid: ec?.kid,
            kty: 'EC',
            crv: 'P-256',
            alg: 'ES256',
            use: 'sig',
            keyOps: null,
            rsaModulusBits: null,
            rsaExponent: null,
            thumbprint: expect.stringMatching(/^[\w-]{43}$/) as unknown,
            usable: true,
            dropReason: null,
            certificate: null,
          },
        ],
        findings: BASELINE_IDS.map((id) => ({
          id,
          severity: 'info',
          title: CHECKS[id as CheckId].title,
          subject: expect.any(String) as unknown,
          seen: expect.any(String) as unknown,
          why: CHECKS[id as CheckId].why,
          reference: CHECKS[id as CheckId].reference,
          fix: CHECKS[id as CheckId].fix,
        })),
      })
    } finally {
      await issuer.close()
    }
  })
})

describe('the readable report', () => {
  it('groups findings by severity, most severe first, and ends with the verdict', async () => {
    const issuer = await startFixtureIssuer(base, {
      keys: withKey(symmetricJwk('oct-1')),
      headers: {},
    })
    try {
      const run = await runCli(['audit', issuer.url])
      expect(run.status).toBe(1)
      const headings = run.stdout.split('\n').filter((line) => /^[A-Z]+$/.test(line))
      expect(headings).toEqual(['CRITICAL', 'LOW', 'INFO'])
      expect(run.stdout).toContain(
        '  key.symmetric  key #2 kid "oct-1": a symmetric (oct) key is published\n',
      )
      expect(run.stdout).toContain(
        `      why   ${CHECKS['key.symmetric'].why} (${CHECKS['key.symmetric'].reference})\n`,
      )
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
        'FAIL  1 finding at or above high (--fail-on high)',
      )
      expect(run.stdout).not.toContain('\x1b[')
    } finally {
      await issuer.close()
    }
  })

  it('is coloured with FORCE_COLOR, and never with NO_COLOR on a pipe', async () => {
    const issuer = await startFixtureIssuer(base)
    try {
      const coloured = await runCli(['audit', issuer.url], { env: { FORCE_COLOR: '1' } })
      const plain = await runCli(['audit', issuer.url], { env: { NO_COLOR: '1' } })
      expect(coloured.stdout).toContain('\x1b[32m\x1b[1mPASS')
      expect(plain.stdout).not.toContain('\x1b[')
    } finally {
      await issuer.close()
    }
  })
})
