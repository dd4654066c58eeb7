// Verifier rules: SPIFFE JWT-SVIDs (JWT-SVID §2 and §3) verified with the bundle of the trust
// domain their `sub` names (Trust Domain and Bundle §3, §4.2.2).
import { startJwksServer, TestIssuer, TestTrustDomain, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VerifierOptions } from '../../src/options.js'
import type { TrustDomainOptions } from '../../src/spiffe-options.js'
import { createVerifier, type Verifier } from '../../src/verifier.js'
import { expectInvalidToken } from '../helpers.js'

let prod: TestTrustDomain
let partner: TestTrustDomain
let prodServer: JwksServer
let partnerServer: JwksServer
const verifiers: Verifier[] = []

beforeAll(async () => {
  prod = await TestTrustDomain.create({ trustDomain: 'prod.example.org' })
  partner = await TestTrustDomain.create({ trustDomain: 'partner.example.com', alg: 'RS256' })
  prodServer = await startJwksServer({ jwks: () => prod.bundle(), jwksPath: '/bundle' })
  partnerServer = await startJwksServer({ jwks: () => partner.bundle(), jwksPath: '/bundle' })
})

afterAll(async () => {
  for (const verifier of verifiers) verifier.close()
  await Promise.all([prodServer.close(), partnerServer.close()])
})

function domain(
  td: TestTrustDomain,
  server: JwksServer,
  extra: Partial<TrustDomainOptions> = {},
): TrustDomainOptions {
  return {
    trustDomain: td.trustDomain,
    bundleEndpoint: server.url,
    audience: td.audience,
    ...extra,
  }
}

function verifier(options: Partial<VerifierOptions> = {}): Verifier {
  const created = createVerifier({
    spiffe: { trustDomains: [domain(prod, prodServer), domain(partner, partnerServer)] },
    ...options,
  } as VerifierOptions)
  verifiers.push(created)
  return created
}

describe('JWT-SVIDs', () => {
  it('accepts a JWT-SVID without iss and names its SPIFFE ID, trust domain and path', async () => {
    const auth = await verifier().verify(prod.mint('/ns/payments/sa/checkout'))
    expect({
      issuer: auth.issuer,
      subject: auth.subject,
      spiffe: auth.spiffe,
      audience: auth.audience,
      kid: auth.kid,
    }).toEqual({
      issuer: 'spiffe://prod.example.org',
      subject: 'spiffe://prod.example.org/ns/payments/sa/checkout',
      spiffe: {
        id: 'spiffe://prod.example.org/ns/payments/sa/checkout',
        trustDomain: 'prod.example.org',
        path: '/ns/payments/sa/checkout',
      },
      audience: [prod.audience],
      kid: prod.signingKey.kid,
    })
    expect(Object.isFrozen(auth.spiffe)).toBe(true)
  })

  it('accepts a JWT-SVID that carries an iss no issuer of the verifier has', async () => {
    const auth = await verifier().verify(prod.mint('/web', { iss: 'https://oidc.example.org' }))
    expect(auth.spiffe?.id).toBe('spiffe://prod.example.org/web')
  })

  it('verifies each trust domain with its own bundle (federation)', async () => {
    const shared = verifier()
    const mine = await shared.verify(prod.mint('/web'))
    const theirs = await shared.verify(partner.mint('/billing'))
    expect([mine.spiffe?.trustDomain, theirs.spiffe?.trustDomain]).toEqual([
      'prod.example.org',
      'partner.example.com',
    ])
  })

  it("refuses a token signed with one trust domain's key under another's SPIFFE ID", async () => {
    // The partner's key signs a token claiming a prod identity: prod's bundle lacks the kid.
    const forged = prod.mint('/admin', {}, { key: partner.signingKey })
    await expectInvalidToken(verifier().verify(forged), 'unknown_key')
  })

  it.each([
    ['a URL of another scheme', 'https://prod.example.org/web'],
    ['an upper-case scheme', 'SPIFFE://prod.example.org/web'],
    ['an upper-case trust domain', 'spiffe://Prod.example.org/web'],
    ['a port', 'spiffe://prod.example.org:443/web'],
    ['userinfo', 'spiffe://user@prod.example.org/web'],
    ['a trailing slash', 'spiffe://prod.example.org/web/'],
    ['an empty segment', 'spiffe://prod.example.org//web'],
    ['a dot segment', 'spiffe://prod.example.org/./web'],
    ['a dot-dot segment', 'spiffe://prod.example.org/a/../web'],
    ['a percent-encoded character', 'spiffe://prod.example.org/w%65b'],
    ['a query', 'spiffe://prod.example.org/web?x=1'],
    ['a fragment', 'spiffe://prod.example.org/web#x'],
    ['no trust domain', 'spiffe:///web'],
    ['a name', 'web'],
    ['a number', 7],
  ])('refuses sub as %s with invalid_spiffe_id', async (_, sub) => {
    await expectInvalidToken(verifier().verify(prod.mint('/web', { sub })), 'invalid_spiffe_id')
  })

  it('refuses a JWT-SVID without sub with invalid_spiffe_id', async () => {
    await expectInvalidToken(
      verifier().verify(prod.mint('/web', { sub: undefined })),
      'invalid_spiffe_id',
    )
  })

  it('refuses a SPIFFE ID longer than 2048 bytes (SPIFFE ID §2.3)', async () => {
    const sub = `spiffe://prod.example.org/${'a'.repeat(2048 - 'spiffe://prod.example.org/'.length + 1)}`
    await expectInvalidToken(verifier().verify(prod.mint('/web', { sub })), 'invalid_spiffe_id')
  })

  it('refuses a SPIFFE ID of a trust domain not configured, without a fetch', async () => {
    const stranger = await TestTrustDomain.create({ trustDomain: 'evil.example.net' })
    prodServer.reset()
    await expectInvalidToken(verifier().verify(stranger.mint('/web')), 'untrusted_trust_domain')
    expect(prodServer.jwksRequests).toBe(0)
  })

  it('refuses a token whose iss names a trust domain but whose sub is in another', async () => {
    // Routed by iss to prod's keys and policy; its sub claims a partner identity.
    const token = prod.mint('/web', {
      iss: 'spiffe://prod.example.org',
      sub: 'spiffe://partner.example.com/web',
    })
    await expectInvalidToken(verifier().verify(token), 'untrusted_trust_domain')
  })

  it('refuses a token signed by an X.509-SVID authority of the bundle, without a refetch', async () => {
    const x509 = await prod.addX509Authority('x509-authority-1')
    const shared = verifier()
    await shared.warmup()
    prodServer.reset()
    await expectInvalidToken(shared.verify(prod.mint('/web', {}, { key: x509 })), 'x509_svid_key')
    expect(prodServer.jwksRequests).toBe(0)
  })

  it.each([
    ['another audience', 'https://other.test'],
    ['an array without the audience', ['https://other.test']],
  ])('refuses aud as %s (JWT-SVID §3.2)', async (_, aud) => {
    await expectInvalidToken(verifier().verify(prod.mint('/web', { aud })), 'invalid_audience')
  })

  it('refuses a JWT-SVID without aud', async () => {
    await expectInvalidToken(
      verifier().verify(prod.mint('/web', { aud: undefined })),
      'invalid_audience',
    )
  })

  it('refuses a JWT-SVID without exp (JWT-SVID §3.3)', async () => {
    await expectInvalidToken(
      verifier().verify(prod.mint('/web', { exp: undefined })),
      'invalid_claim',
    )
  })

  it.each([undefined, 'JWT', 'JOSE', 'jose'])('accepts typ %j (JWT-SVID §2.3)', async (typ) => {
    const auth = await verifier().verify(prod.mint('/web', {}, { typ: typ ?? null }))
    expect(auth.spiffe?.path).toBe('/web')
  })

  it.each(['at+jwt', 'dpop+jwt'])('refuses typ %j (JWT-SVID §2.3)', async (typ) => {
    await expectInvalidToken(verifier().verify(prod.mint('/web', {}, { typ })), 'invalid_type')
  })

  it('refuses EdDSA, which JWT-SVID §2.1 does not list', async () => {
    const ed = await TestTrustDomain.create({ trustDomain: 'ed.example.org', alg: 'EdDSA' })
    const server = await startJwksServer({ jwks: () => ed.bundle() })
    try {
      const only = verifier({ spiffe: { trustDomains: [domain(ed, server)] } })
      await expectInvalidToken(only.verify(ed.mint('/web')), 'algorithm_not_allowed')
    } finally {
      await server.close()
    }
  })

  it('verifies an RSA bundle key (no alg) with the one RSA algorithm of the allowlist', async () => {
    const ps = await TestTrustDomain.create({ trustDomain: 'ps.example.org', alg: 'PS256' })
    const server = await startJwksServer({ jwks: () => ps.bundle() })
    try {
      const strict = verifier({
        spiffe: { trustDomains: [domain(ps, server, { algorithms: ['PS256'] })] },
      })
      expect((await strict.verify(ps.mint('/web'))).spiffe?.trustDomain).toBe('ps.example.org')
      // Without the allowlist an RSA key without alg verifies RS256 only (key-algorithm.ts).
      const loose = verifier({ spiffe: { trustDomains: [domain(ps, server)] } })
      await expectInvalidToken(loose.verify(ps.mint('/web')), 'invalid_signature')
    } finally {
      await server.close()
    }
  })

  it('keeps OAuth issuers working beside trust domains, and refuses unknown issuers as before', async () => {
    const oauth = await TestIssuer.create()
    const server = await startJwksServer({ issuer: oauth })
    try {
      const both = verifier({
        issuer: oauth.issuer,
        audience: oauth.audience,
        jwksUri: server.url,
      })
      const access = await both.verify(oauth.mint())
      expect([access.issuer, access.spiffe]).toEqual([oauth.issuer, undefined])
      expect('spiffe' in access).toBe(false)
      expect((await both.verify(prod.mint('/web'))).spiffe?.trustDomain).toBe('prod.example.org')
      await expectInvalidToken(
        both.verify(oauth.mint({ iss: 'https://other.test/' })),
        'invalid_issuer',
      )
    } finally {
      await server.close()
    }
  })

  it('refuses a token without iss when no trust domain is configured, as before', async () => {
    const oauth = await TestIssuer.create()
    const plain = createVerifier({
      issuer: oauth.issuer,
      audience: oauth.audience,
      jwksUri: 'https://issuer.test/jwks',
    })
    verifiers.push(plain)
    await expectInvalidToken(plain.verify(prod.mint('/web')), 'invalid_issuer')
  })

  it('verifies with a static bundle given as JSON text', async () => {
    const offline = createVerifier({
      spiffe: {
        trustDomains: [
          {
            trustDomain: 'spiffe://prod.example.org',
            bundle: JSON.stringify(prod.bundle()),
            audience: prod.audience,
          },
        ],
      },
    })
    verifiers.push(offline)
    prodServer.reset()
    expect((await offline.verify(prod.mint('/web'))).spiffe?.id).toBe(
      'spiffe://prod.example.org/web',
    )
    expect(prodServer.jwksRequests).toBe(0)
  })
})
