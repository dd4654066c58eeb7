// Attack family: the HTTP request (RFC 6750 §2, RFC 9110). Real requests through `fetch` and,
// for bytes `fetch` refuses to send, raw sockets. Status, code, WWW-Authenticate, body, and the
// handler never ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, scopeCheck, type KeywardErrorCode } from '../../src/index.js'
import { registerToken } from './support/audit.js'
import {
  expectedChallenge,
  rawHttpGet as getRaw,
  type HttpReply as Reply,
} from '@keyward/test-utils'
import { startScenario, type Scenario, type Target } from './support/scenario.js'

const REALM = 'keyward-attacks'
const METADATA_URL = 'https://api.test/.well-known/oauth-protected-resource'

describe('attacks: HTTP requests', () => {
  let s: Scenario
  let configured: Target
  beforeAll(async () => {
    s = await startScenario({ alg: 'ES256' })
    configured = await s.newTarget({ realm: REALM, resourceMetadataUrl: METADATA_URL })
  })
  afterAll(async () => {
    await s.close()
  })

  const token = (claims: Record<string, unknown> = {}): string => {
    const minted = s.issuer.mint(claims)
    registerToken(minted)
    return minted
  }
  const raw =
    (target: Target, lines: (string | Buffer)[], path = '/protected'): (() => Promise<Reply>) =>
    () =>
      getRaw(target.app.url + path, lines)

  /** Node's HTTP parser refused the request itself: the app (and keyward) never saw it. */
  const expectRefusedByNode = async (
    target: Target,
    send: () => Promise<Reply>,
    status: number,
  ): Promise<void> => {
    const seen = target.app.outcomes.length
    const runs = target.app.handlerRuns
    const reply = await send()
    expect({
      status: reply.status,
      challenge: reply.headers['www-authenticate'],
      outcomes: target.app.outcomes.length - seen,
      handlerRuns: target.app.handlerRuns,
    }).toEqual({ status, challenge: undefined, outcomes: 0, handlerRuns: runs })
  }

  it('accepts a valid token, with the scheme in any case (positive control)', async () => {
    for (const target of [s.target, configured]) {
      const runs = target.app.handlerRuns
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        const reply = await target.request({ authorization: `${scheme} ${token()}` })
        expect(reply.status).toBe(200)
      }
      expect(target.app.handlerRuns).toBe(runs + 4)
    }
  })

  describe('more than one credential (RFC 6750 §2: exactly one method, one token)', () => {
    it.each<[string, (t: string) => string[]]>([
      [
        'two identical Authorization lines',
        (t) => [`Authorization: Bearer ${t}`, `Authorization: Bearer ${t}`],
      ],
      [
        'two lines in different case',
        (t) => [`authorization: Bearer ${t}`, `AUTHORIZATION: Bearer ${t}`],
      ],
      ['an empty line then a valid one', (t) => ['Authorization:', `Authorization: Bearer ${t}`]],
      [
        'a valid line then a Basic one',
        (t) => [`Authorization: Bearer ${t}`, 'Authorization: Basic dXNlcjpwYXNz'],
      ],
      [
        'a Basic line then a valid one',
        (t) => ['Authorization: Basic dXNlcjpwYXNz', `Authorization: Bearer ${t}`],
      ],
    ])('answers %s (raw socket) with 400 invalid_request', async (_name, lines) => {
      for (const target of [s.target, configured]) {
        await target.expectRejected(raw(target, lines(token())), 'invalid_request')
      }
    })

    it.each<[string, (t: string) => string]>([
      ['two tokens after one scheme', (t) => `Bearer ${t} ${t}`],
      ['two comma-separated credentials', (t) => `Bearer ${t}, Bearer ${t}`],
      ['a credential followed by a Basic one', (t) => `Bearer ${t}, Basic dXNlcjpwYXNz`],
      ['a token with an auth-param', (t) => `Bearer ${t}, realm="x"`],
      ['a scheme without a token', () => 'Bearer'],
      ['a scheme and spaces only', () => 'Bearer    '],
      ['a token that is not token68', () => 'Bearer a=b.c'],
      ['a quoted token', (t) => `Bearer "${t}"`],
    ])('answers %s in one header with 400 invalid_request', async (_name, value) => {
      await s.target.expectRejected(
        () => s.target.request({ authorization: value(token()) }),
        'invalid_request',
      )
    })

    it('answers a token in the header and in the query with 400 invalid_request', async () => {
      const t = token()
      await s.target.expectRejected(
        () => s.target.request({ authorization: `Bearer ${t}` }, `/protected?access_token=${t}`),
        'invalid_request',
      )
      await configured.expectRejected(
        () =>
          configured.request(
            { authorization: `Bearer ${t}` },
            `/protected?access_token=x&access_token=${t}`,
          ),
        'invalid_request',
      )
    })
  })

  describe('tokens outside the Authorization header are not credentials', () => {
    it('ignores a query-only token (OAuth 2.1 and MCP forbid it): 401 with a bare challenge', async () => {
      await s.target.expectRejected(
        () => s.target.request({}, `/protected?access_token=${token()}`),
        'missing_token',
      )
      await configured.expectRejected(
        () => configured.request({}, `/protected?access_token=${token()}`),
        'missing_token',
      )
    })

    it.each<[string, (t: string) => Record<string, string>]>([
      ['a cookie', (t) => ({ cookie: `access_token=${t}` })],
      ['X-Access-Token', (t) => ({ 'x-access-token': t })],
      ['X-Auth-Token', (t) => ({ 'x-auth-token': `Bearer ${t}` })],
      ['X-Forwarded-Authorization', (t) => ({ 'x-forwarded-authorization': `Bearer ${t}` })],
      ['Proxy-Authorization', (t) => ({ 'proxy-authorization': `Bearer ${t}` })],
      ['an access_token header', (t) => ({ access_token: t })],
    ])('ignores a valid token in %s: 401 missing_token', async (_name, headers) => {
      await s.target.expectRejected(() => s.target.request(headers(token())), 'missing_token')
    })
  })

  describe('other schemes', () => {
    it.each<[string, (t: string) => string]>([
      ['Basic', () => 'Basic dXNlcjpwYXNz'],
      ['DPoP with a valid token (RFC 9449 is not bearer)', (t) => `DPoP ${t}`],
      ['Negotiate', () => 'Negotiate YIIB'],
      ['a scheme glued to the token', (t) => `Bearer${t}`],
      ['a look-alike scheme', (t) => `Bearer_ ${t}`],
      ['a scheme with a NUL escape as text', (t) => `Bearer\\0 ${t}`],
    ])('answers %s with 401 missing_token and a bare challenge', async (_name, value) => {
      await s.target.expectRejected(
        () => s.target.request({ authorization: value(token()) }),
        'missing_token',
      )
      await configured.expectRejected(
        () => configured.request({ authorization: value(token()) }),
        'missing_token',
      )
    })
  })

  describe('whitespace, control and non-ASCII bytes (raw socket)', () => {
    it.each<[string, (t: string) => string | Buffer]>([
      ['a tab after the scheme', (t) => `Authorization: Bearer\t${t}`],
      ['a tab inside the token', (t) => `Authorization: Bearer ${t.slice(0, 20)}\t${t.slice(20)}`],
      ['obs-text bytes in the token', (t) => `Authorization: Bearer ${t}\x80\xff`],
      ['a raw UTF-8 token', () => Buffer.from('Authorization: Bearer été.été.été', 'utf8')],
      [
        'a non-breaking space inside the token',
        (t) => `Authorization: Bearer ${t.slice(0, 20)}\xa0${t.slice(20)}`,
      ],
      // RFC 9110 §5.5: only SP and HTAB are whitespace around a field value, not NBSP.
      ['a non-breaking space after the token', (t) => `Authorization: Bearer ${t}\xa0`],
    ])('answers %s with 400 invalid_request', async (_name, line) => {
      await s.target.expectRejected(raw(s.target, [line(token())]), 'invalid_request')
    })

    it('answers a non-breaking space before the scheme with 401 missing_token: no Bearer scheme', async () => {
      await s.target.expectRejected(
        raw(s.target, [`Authorization: \xa0Bearer ${token()}`]),
        'missing_token',
      )
    })

    it.each<[string, (t: string) => string]>([
      ['a NUL byte', (t) => `Authorization: Bearer ${t}\x00`],
      ['a bare CR', (t) => `Authorization: Bearer ${t.slice(0, 20)}\r${t.slice(20)}`],
      [
        'a bare LF (header injection)',
        (t) => `Authorization: Bearer x\nAuthorization: Bearer ${t}`,
      ],
      ['a DEL byte', (t) => `Authorization: Bearer ${t}\x7f`],
      [
        'a vertical tab inside the token',
        (t) => `Authorization: Bearer ${t.slice(0, 20)}\x0b${t.slice(20)}`,
      ],
      ['a form feed after the token', (t) => `Authorization: Bearer ${t}\x0c`],
      ['an obs-fold continuation line', (t) => `Authorization: Bearer\r\n ${t}`],
      ['whitespace before the colon', (t) => `Authorization : Bearer ${t}`],
    ])(
      'has %s refused by Node with 400 before keyward or the handler runs',
      async (_name, line) => {
        await expectRefusedByNode(s.target, raw(s.target, [line(token())]), 400)
      },
    )
  })

  describe('oversized headers', () => {
    it('answers a 10 KB bearer token with 401 token_too_large', async () => {
      await s.target.expectRejected(
        () => s.target.request({ authorization: `Bearer ${'a'.repeat(10 * 1024)}` }),
        'token_too_large',
      )
    })

    it('answers a 15 KB Basic credential with 401 missing_token', async () => {
      await s.target.expectRejected(
        () => s.target.request({ authorization: `Basic ${'a'.repeat(15 * 1024)}` }),
        'missing_token',
      )
    })

    it('answers a 15 KB token68 value made of spaces and junk with 401 token_too_large, not a parse', async () => {
      await s.target.expectRejected(
        () => s.target.request({ authorization: `Bearer ${'a '.repeat(7 * 1024)}` }),
        'token_too_large',
      )
    })

    it.each([
      [
        'a 17 KB Authorization header',
        (t: string) => [`Authorization: Bearer ${t}${'a'.repeat(17 * 1024)}`],
      ],
      [
        'a 64 KB filler header next to a valid token',
        (t: string) => [`Authorization: Bearer ${t}`, `X-Filler: ${'a'.repeat(64 * 1024)}`],
      ],
      [
        '1,000 small headers next to a valid token',
        (t: string) => [
          `Authorization: Bearer ${t}`,
          ...Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${'a'.repeat(20)}`),
        ],
      ],
    ])('has %s refused by Node with 431', async (_name, lines) => {
      await expectRefusedByNode(s.target, raw(s.target, lines(token())), 431)
    })
  })

  describe('challenge injection (nothing from the request reaches WWW-Authenticate)', () => {
    const hostile = 'x", error="none", realm="evil\\'
    it.each<[string, () => string, KeywardErrorCode]>([
      ['kid', () => s.issuer.mint({}, { kid: hostile }), 'unknown_key'],
      ['iss', () => s.issuer.mint({ iss: hostile }), 'invalid_issuer'],
      ['aud', () => s.issuer.mint({ aud: hostile }), 'invalid_audience'],
      ['typ', () => s.issuer.mint({}, { typ: hostile }), 'invalid_type'],
      [
        'alg',
        () => s.issuer.mint({}, { alg: hostile, signWith: 'ES256' }),
        'algorithm_not_allowed',
      ],
      [
        'a CRLF in kid',
        () => s.issuer.mint({}, { kid: 'k\r\nWWW-Authenticate: Basic realm="evil"' }),
        'unknown_key',
      ],
    ])(
      'keeps the fixed challenge when %s carries a quoted-string breakout',
      async (_where, mint, code) => {
        const reply = await configured.reject(mint(), code)
        expect(reply.headers['www-authenticate']).not.toContain('evil')
      },
    )

    it('keeps the fixed scope list when the token grants hostile scopes', async () => {
      const t = token({ scope: 'read:things x"y evil\\' })
      const reply = await configured.reject(t, 'insufficient_scope', '/admin')
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('insufficient_scope', {
          realm: REALM,
          scope: 'admin',
          resourceMetadata: METADATA_URL,
        }),
      )
    })

    it('keeps the fixed challenge whatever the query string, Host or forwarding headers say', async () => {
      const headers = {
        authorization: 'Bearer a b',
        'x-forwarded-host': 'evil.test',
        'x-forwarded-proto': 'http',
      }
      const reply = await configured.expectRejected(
        () =>
          configured.request(headers, '/protected?realm=evil&resource_metadata=https://evil.test'),
        'invalid_request',
      )
      expect(reply.headers['www-authenticate']).not.toContain('evil')
    })

    it.each<[string, Record<string, unknown>]>([
      ['a realm with a quote', { realm: 'api", error="none' }],
      ['a realm with a CRLF', { realm: 'api\r\nX-Injected: 1' }],
      ['a realm with a backslash', { realm: 'api\\' }],
      ['resource metadata with a quote', { resourceMetadataUrl: 'https://api.test/"x' }],
      [
        'resource metadata over http',
        { resourceMetadataUrl: 'http://api.test/.well-known/oauth-protected-resource' },
      ],
    ])('refuses %s at construction with a TypeError', (_name, options) => {
      expect(() =>
        createVerifier({
          issuer: s.issuer.issuer,
          audience: s.issuer.audience,
          jwksUri: s.jwks.url,
          ...options,
        }),
      ).toThrow(TypeError)
    })

    it.each(['admin"', 'a\\b', 'a\r\nb', 'caf\u00e9'])(
      'refuses the required scope %j at construction',
      (scope) => {
        expect(() => scopeCheck(scope)).toThrow(TypeError)
      },
    )
  })
})
