// Attack family: claims (RFC 7519 §4.1, RFC 9068 §2.2 and §4). Tokens are validly signed by the
// trusted issuer, so only the claim rules can reject them. Over real HTTP: status, code,
// WWW-Authenticate, body, and the handler never ran.
// Each rule's own cases are the verifier rules' (test/verifier-rules/); this file keeps the
// hostile spellings they do not list (CONTRIBUTING.md, test layers).
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeywardErrorCode } from '../../src/index.js'
import { startScenario, startTarget, type Scenario, type Target } from './support/scenario.js'

const now = (): number => Math.floor(Date.now() / 1000)

describe('attacks: claims', () => {
  let s: Scenario
  beforeAll(async () => {
    s = await startScenario({ alg: 'ES256' })
  })
  afterAll(async () => {
    await s.close()
  })

  /** A validly signed token whose payload is this exact JSON text. */
  const raw = (text: string): string => s.issuer.mint({}, { rawPayload: text })
  /** The default claims as JSON with `member` replaced by a raw JSON value (or removed). */
  const withRaw = (member: string, json: string | undefined): string => {
    const claims = s.issuer.claims({ [member]: undefined })
    const text = JSON.stringify(claims)
    return json === undefined ? text : text.replace(/}$/, `,"${member}":${json}}`)
  }

  it('accepts the untouched token (positive control)', async () => {
    await s.target.accept(s.issuer.mint())
  })

  describe('exp (RFC 7519 §4.1.4; required)', () => {
    it.each<[string, string | undefined, KeywardErrorCode]>([
      ['an empty string', '""', 'invalid_claim'],
      ['-1e309', '-1e309', 'invalid_claim'],
      ['null', 'null', 'invalid_claim'],
      ['true', 'true', 'invalid_claim'],
      ['an array', '[9999999999]', 'invalid_claim'],
      ['an object', '{"value":9999999999}', 'invalid_claim'],
      ['0', '0', 'token_expired'],
      ['-0', '-0', 'token_expired'],
      ['negative', '-9999999999', 'token_expired'],
      ['the smallest negative number', '-1.7976931348623157e308', 'token_expired'],
      ['1e3 (exponent notation, long past)', '1e3', 'token_expired'],
    ])('rejects exp that is %s', async (_name, json, code) => {
      await s.target.reject(raw(withRaw('exp', json)), code)
    })

    it('rejects a huge exp once a lifetime cap is configured, and a lifetime over the cap', async () => {
      const capped = await s.newTarget({ maxTokenLifetimeMs: 3_600_000 })
      await capped.accept(s.issuer.mint({ exp: now() + 3000 }))
      await capped.reject(s.issuer.mint({ exp: 1.7976931348623157e308 }), 'invalid_claim')
      await capped.reject(s.issuer.mint({ exp: 253_402_300_799 }), 'invalid_claim')
      await capped.reject(s.issuer.mint({ exp: now() + 3601 }), 'invalid_claim')
      // The cap needs iat to measure the lifetime.
      await capped.reject(s.issuer.mint({ iat: undefined }), 'invalid_claim')
    })
  })

  describe('nbf (RFC 7519 §4.1.5) and iat (§4.1.6)', () => {
    it.each<[string, string, string, KeywardErrorCode]>([
      ['nbf', 'a string', '"0"', 'invalid_claim'],
      ['nbf', '1e309', '1e309', 'invalid_claim'],
      ['nbf', 'huge', '9999999999999', 'token_not_yet_valid'],
      ['iat', '1e309', '1e309', 'invalid_claim'],
      ['iat', 'an object', '{}', 'invalid_claim'],
      ['iat', 'huge', '9999999999999', 'token_not_yet_valid'],
    ])('rejects %s that is %s', async (member, _name, json, code) => {
      await s.target.reject(raw(withRaw(member, json)), code)
    })

    it('accepts nbf and iat of 0 and negative values (they lie in the past)', async () => {
      await s.target.accept(s.issuer.mint({ nbf: 0 }))
      await s.target.accept(s.issuer.mint({ nbf: -1e10, iat: -1 }))
    })

    it('rejects an old or absent iat once maxTokenAgeMs is configured', async () => {
      const young = await s.newTarget({ maxTokenAgeMs: 600_000 })
      await young.accept(s.issuer.mint())
      await young.reject(s.issuer.mint({ iat: now() - 3600 }), 'token_expired')
      await young.reject(s.issuer.mint({ iat: 0 }), 'token_expired')
      await young.reject(s.issuer.mint({ iat: -1e300 }), 'token_expired')
      await young.reject(s.issuer.mint({ iat: undefined }), 'invalid_claim')
    })
  })

  describe('aud (RFC 7519 §4.1.3)', () => {
    const aud = 'https://api.test'
    it.each<[string, unknown]>([
      ['an object keyed by the audience', { [aud]: true }],
      ['an object with index keys', { 0: aud, length: 1 }],
      ['a nested array', [[aud]]],
      ['in upper case', aud.toUpperCase()],
      ['with leading whitespace', ` ${aud}`],
      ['with trailing whitespace', `${aud} `],
      ['with a trailing NUL', `${aud}\u0000`],
      ['as a prefix of another host', `${aud}.evil.test`],
      ['with another scheme', aud.replace('https', 'http')],
      ['with userinfo', aud.replace('https://', 'https://api.test@')],
      ['as a fullwidth look-alike', aud.replace('api', 'ａｐｉ')],
      ['as a space-separated list', `${aud} https://other.test`],
      ['as a comma-separated list', `${aud},https://other.test`],
      ['an empty string', ''],
    ])('rejects aud %s as invalid_audience', async (_name, value) => {
      await s.target.reject(s.issuer.mint({ aud: value }), 'invalid_audience')
    })
  })

  describe('iss (RFC 7519 §4.1.1; compared exactly, never normalised)', () => {
    it.each<[string, unknown]>([
      ['in upper case', 'HTTPS://ISSUER.TEST/'],
      ['with a capital letter in the host', 'https://Issuer.test/'],
      ['with leading whitespace', ' https://issuer.test/'],
      ['with trailing whitespace', 'https://issuer.test/ '],
      ['with a default port', 'https://issuer.test:443/'],
      ['with a query', 'https://issuer.test/?x=1'],
      ['percent-encoded', 'https://issuer%2Etest/'],
      ['unknown', 'https://evil.test/'],
      ['null', null],
      ['an array holding the issuer', ['https://issuer.test/']],
      ['an object', { toString: 'https://issuer.test/' }],
      ['__proto__', '__proto__'],
      ['constructor', 'constructor'],
    ])('rejects iss %s as invalid_issuer without any key fetch', async (_name, iss) => {
      const fresh = await s.newTarget()
      const before = s.jwks.jwksRequests
      await fresh.reject(s.issuer.mint({ iss }), 'invalid_issuer')
      expect(s.jwks.jwksRequests).toBe(before)
    })
  })

  describe('cross-issuer kid collision (keys belong to their issuer)', () => {
    let other: TestIssuer
    let otherJwks: JwksServer
    let both: Target
    beforeAll(async () => {
      // A second trusted issuer (another tenant) publishes a key under the first issuer's kid.
      other = await TestIssuer.create({ issuer: 'https://tenant-b.test/', alg: 'ES256' })
      const collided = await other.addKey({ kid: s.issuer.signingKey.kid, sign: true })
      expect(collided.kid).toBe(s.issuer.signingKey.kid)
      otherJwks = await startJwksServer({ issuer: other })
      both = await startTarget({
        issuers: [
          { issuer: s.issuer.issuer, audience: s.issuer.audience, jwksUri: s.jwks.url },
          { issuer: other.issuer, audience: s.issuer.audience, jwksUri: otherJwks.url },
        ],
      })
    })
    afterAll(async () => {
      both.verifier.close()
      await both.app.close()
      await otherJwks.close()
    })

    it('accepts each issuer’s own tokens (positive control)', async () => {
      await both.accept(s.issuer.mint())
      await both.accept(other.mint({ aud: s.issuer.audience }))
    })

    it('rejects a token claiming issuer A signed by issuer B’s key under the colliding kid', async () => {
      const forged = other.mint({ iss: s.issuer.issuer, aud: s.issuer.audience })
      await both.reject(forged, 'invalid_signature')
    })

    it('rejects a token claiming issuer A that names a kid only issuer B publishes', async () => {
      const onlyB = other.keys[0]
      if (onlyB === undefined) throw new Error('issuer B has no first key')
      const forged = other.mint({ iss: s.issuer.issuer, aud: s.issuer.audience }, { key: onlyB })
      await both.reject(forged, 'unknown_key')
    })
  })

  describe('prototype pollution through claims', () => {
    it('ignores scopes smuggled through a __proto__ member', async () => {
      const text = JSON.stringify(s.issuer.claims({ scope: 'read:things' })).replace(
        /}$/,
        ',"__proto__":{"scope":"admin","scp":["admin"],"permissions":["admin"],"isAdmin":true}}',
      )
      await s.target.reject(raw(text), 'insufficient_scope', '/admin')
      expect(({} as Record<string, unknown>).scope).toBeUndefined()
    })

    it('does not take exp from a __proto__ member when exp itself is missing', async () => {
      const text = withRaw('exp', undefined).replace(/}$/, ',"__proto__":{"exp":9999999999}}')
      await s.target.reject(raw(text), 'invalid_claim')
    })

    it('does not take aud from a constructor member', async () => {
      const text = withRaw('aud', undefined).replace(
        /}$/,
        ',"constructor":{"prototype":{"aud":"https://api.test"}}}',
      )
      await s.target.reject(raw(text), 'invalid_audience')
      expect(({} as Record<string, unknown>).aud).toBeUndefined()
    })
  })

  describe('ID token presented as an access token (RFC 9068 §4, OIDC Core §2)', () => {
    const idTokenClaims = (): Record<string, unknown> => ({
      aud: 'client-123',
      azp: 'client-123',
      nonce: 'n-0S6_WzA2Mj',
      auth_time: now() - 10,
      at_hash: 'MTIzNDU2Nzg5MDEyMzQ1Ng',
      scope: undefined,
    })

    it('rejects an ID token whose audience is the client as invalid_audience', async () => {
      await s.target.reject(s.issuer.mint(idTokenClaims(), { typ: 'JWT' }), 'invalid_audience')
    })

    it('rejects an ID token naming the API under the RFC 9068 profile as invalid_type', async () => {
      const strict = await s.newTarget({ profile: 'rfc9068' })
      await strict.reject(
        s.issuer.mint({ ...idTokenClaims(), aud: s.issuer.audience }, { typ: 'JWT' }),
        'invalid_type',
      )
      await strict.reject(
        s.issuer.mint({ ...idTokenClaims(), aud: s.issuer.audience }, { typ: null }),
        'invalid_type',
      )
    })
  })

  describe('claim types keyward relies on', () => {
    it.each<[string, Record<string, unknown>]>([
      ['sub as an object', { sub: { id: 'admin' } }],
      ['client_id as an array', { client_id: ['a', 'b'] }],
    ])('rejects %s as invalid_claim', async (_name, claims) => {
      await s.target.reject(s.issuer.mint(claims), 'invalid_claim')
    })
  })
})
