import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import {
  startJwksServer,
  symmetricJwk,
  TestIssuer,
  testAlgorithms,
  type JwksServer,
  type TestAlgorithm,
  type TestKey,
} from '@keyward/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { KeywardEvent } from '../src/events.js'
import { createVerifier, type Verifier } from '../src/verifier.js'
import {
  encodeJson,
  expectInvalidToken,
  type Fixture,
  type FixtureVerifierOptions,
  segments,
  SETUP_TIMEOUT_MS,
  signBytes,
  signSegments,
  startFixture,
  useFixture,
} from './helpers.js'

// A fixed clock far from the real one, so only the injected `now` can make these tokens valid.
const T = 1_900_000_000
const T_MS = T * 1000

const fx = useFixture()

/** A verifier whose clock reads `nowMs`. */
function clocked(nowMs: number, options: FixtureVerifierOptions = {}): Verifier {
  return fx.verifier({ now: () => nowMs, ...options })
}

/** Mints tokens with a growing filler claim until their segments satisfy `wanted`. */
function mintWhere(wanted: (header: string, payload: string) => boolean, filler = 'x'): string {
  for (let length = 0; length < 64; length++) {
    const token = fx.issuer.mint({ filler: filler.repeat(length) })
    const [header, payload] = segments(token)
    if (wanted(header, payload)) return token
  }
  throw new Error('no token with the wanted shape')
}

describe('accepted tokens', () => {
  let multi: Fixture
  let verifier: Verifier
  const keys = new Map<TestAlgorithm, TestKey>()

  beforeAll(async () => {
    multi = await startFixture()
    for (const alg of testAlgorithms) keys.set(alg, await multi.issuer.addKey({ alg }))
    verifier = multi.verifier()
  }, SETUP_TIMEOUT_MS)

  afterAll(async () => {
    await multi.close()
  })

  it.each(testAlgorithms)(
    'accepts a %s token signed by a published key of that algorithm',
    async (alg) => {
      const key = keys.get(alg)!
      const auth = await verifier.verify(multi.issuer.mint({}, { key }))
      expect({ kid: auth.kid, alg: auth.header.alg }).toEqual({ kid: key.kid, alg })
    },
  )

  it('accepts the fully specified Ed25519 name for a token signed by an EdDSA key', async () => {
    const key = keys.get('EdDSA')!
    const auth = await verifier.verify(
      multi.issuer.mint({}, { key, alg: 'Ed25519', signWith: 'EdDSA' }),
    )
    expect(auth.kid).toBe(key.kid)
  })

  it('rejects a PS256 header over a PKCS#1 v1.5 signature made by the same key', async () => {
    const key = keys.get('PS256')!
    await expectInvalidToken(
      verifier.verify(multi.issuer.mint({}, { key, signWith: 'RS256' })),
      'invalid_signature',
    )
  })

  it('exposes issuer, subject, client id, audience, scopes, expiry and kid of the token', async () => {
    const token = fx.issuer.mint({ sub: 'user-1', client_id: 'app-1', scope: 'a b' })
    const auth = await fx.verifier().verify(token)
    expect({
      token: auth.token,
      issuer: auth.issuer,
      subject: auth.subject,
      clientId: auth.clientId,
      audience: auth.audience,
      scopes: auth.scopes,
      expiresAt: auth.expiresAt,
      kid: auth.kid,
    }).toEqual({
      token,
      issuer: fx.issuer.issuer,
      subject: 'user-1',
      clientId: 'app-1',
      audience: [fx.issuer.audience],
      scopes: ['a', 'b'],
      expiresAt: auth.claims.exp,
      kid: fx.issuer.signingKey.kid,
    })
  })

  it('falls back to azp for the client id when client_id is absent', async () => {
    const auth = await fx.verifier().verify(fx.issuer.mint({ client_id: undefined, azp: 'spa' }))
    expect(auth.clientId).toBe('spa')
  })

  it('accepts an aud array that names the audience among others', async () => {
    const aud = ['https://other.test', fx.issuer.audience]
    const auth = await fx.verifier().verify(fx.issuer.mint({ aud }))
    expect(auth.audience).toEqual(aud)
  })

  it('accepts a token for any of several configured audiences', async () => {
    const verifier = fx.verifier({ audience: ['https://a.test', 'https://b.test'] })
    const auth = await verifier.verify(fx.issuer.mint({ aud: 'https://b.test' }))
    expect(auth.audience).toEqual(['https://b.test'])
  })

  it('accepts a fractional exp and reports it unchanged as expiresAt', async () => {
    const auth = await clocked(T_MS).verify(fx.issuer.mint({ iat: T, exp: T + 60.25 }))
    expect(auth.expiresAt).toBe(T + 60.25)
  })
})

describe('time claims and clock tolerance', () => {
  it('accepts a token 1 ms inside the default 30 s tolerance after exp', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T })
    const auth = await clocked(T_MS + 30_000 - 1).verify(token)
    expect(auth.expiresAt).toBe(T)
  })

  it('rejects a token exactly at exp plus the tolerance as expired', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T })
    await expectInvalidToken(clocked(T_MS + 30_000).verify(token), 'token_expired')
  })

  it('honours a fractional exp to the millisecond', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T + 0.5 })
    await expect(clocked(T_MS + 500 + 30_000 - 1).verify(token)).resolves.toBeDefined()
    await expectInvalidToken(clocked(T_MS + 500 + 30_000).verify(token), 'token_expired')
  })

  it('rejects a token at exp when clockToleranceMs is 0', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T })
    await expect(clocked(T_MS - 1, { clockToleranceMs: 0 }).verify(token)).resolves.toBeDefined()
    await expectInvalidToken(clocked(T_MS, { clockToleranceMs: 0 }).verify(token), 'token_expired')
  })

  it('accepts a token whose nbf is exactly the tolerance ahead of the clock', async () => {
    const token = fx.issuer.mint({ iat: T - 60, nbf: T + 100, exp: T + 600 })
    const auth = await clocked((T + 100) * 1000 - 30_000).verify(token)
    expect(auth.claims.nbf).toBe(T + 100)
  })

  it('rejects a token whose nbf is 1 ms beyond the tolerance ahead of the clock', async () => {
    const token = fx.issuer.mint({ iat: T - 60, nbf: T + 100, exp: T + 600 })
    await expectInvalidToken(
      clocked((T + 100) * 1000 - 30_000 - 1).verify(token),
      'token_not_yet_valid',
    )
  })

  it('accepts a token whose iat is exactly the tolerance ahead of the clock', async () => {
    const token = fx.issuer.mint({ iat: T + 100, exp: T + 600 })
    const auth = await clocked((T + 100) * 1000 - 30_000).verify(token)
    expect(auth.claims.iat).toBe(T + 100)
  })

  it('rejects a token issued 1 ms beyond the tolerance in the future', async () => {
    const token = fx.issuer.mint({ iat: T + 100, exp: T + 600 })
    await expectInvalidToken(
      clocked((T + 100) * 1000 - 30_000 - 1).verify(token),
      'token_not_yet_valid',
    )
  })

  it('rejects a token without exp', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ exp: undefined })),
      'invalid_claim',
    )
  })

  it('rejects a far-future exp written as a string', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ exp: '9999999999' })),
      'invalid_claim',
    )
  })

  it('rejects an exp of 1e309, which JSON.parse turns into Infinity', async () => {
    const claims = JSON.stringify(fx.issuer.claims({ exp: 0 })).replace('"exp":0', '"exp":1e309')
    expect(claims).toContain('1e309')
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { rawPayload: claims })),
      'invalid_claim',
    )
  })

  it.each([
    ['nbf', 'soon'],
    ['nbf', null],
    ['nbf', [1]],
    ['iat', '1700000000'],
    ['iat', null],
    ['iat', true],
  ])('rejects a non-numeric %s (%j)', async (claim, value) => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ [claim]: value })),
      'invalid_claim',
    )
  })

  it('accepts a token exactly maxTokenAgeMs plus the tolerance old', async () => {
    const token = fx.issuer.mint({ iat: T, exp: T + 3600 })
    const auth = await clocked(T_MS + 60_000 + 30_000, { maxTokenAgeMs: 60_000 }).verify(token)
    expect(auth.claims.iat).toBe(T)
  })

  it('rejects a token 1 ms older than maxTokenAgeMs plus the tolerance', async () => {
    const token = fx.issuer.mint({ iat: T, exp: T + 3600 })
    await expectInvalidToken(
      clocked(T_MS + 60_000 + 30_001, { maxTokenAgeMs: 60_000 }).verify(token),
      'token_expired',
    )
  })

  it('rejects a token without iat when maxTokenAgeMs is set', async () => {
    await expectInvalidToken(
      fx.verifier({ maxTokenAgeMs: 60_000 }).verify(fx.issuer.mint({ iat: undefined })),
      'invalid_claim',
    )
  })

  it('accepts a token whose lifetime equals maxTokenLifetimeMs', async () => {
    const token = fx.issuer.mint({ iat: T, exp: T + 300 })
    const auth = await clocked(T_MS, { maxTokenLifetimeMs: 300_000 }).verify(token)
    expect(auth.expiresAt).toBe(T + 300)
  })

  it('rejects a token whose lifetime exceeds maxTokenLifetimeMs', async () => {
    const token = fx.issuer.mint({ iat: T, exp: T + 301 })
    await expectInvalidToken(
      clocked(T_MS, { maxTokenLifetimeMs: 300_000 }).verify(token),
      'invalid_claim',
    )
  })

  it('rejects a token without iat when maxTokenLifetimeMs is set', async () => {
    await expectInvalidToken(
      fx.verifier({ maxTokenLifetimeMs: 300_000 }).verify(fx.issuer.mint({ iat: undefined })),
      'invalid_claim',
    )
  })
})

describe('algorithms', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'rejects alg %s with a signature before fetching any key',
    async (alg) => {
      await expectInvalidToken(
        fx.verifier().verify(fx.issuer.mint({}, { alg })),
        'algorithm_not_allowed',
      )
      expect(fx.server.jwksRequests).toBe(0)
    },
  )

  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'rejects alg %s with an empty signature before fetching any key',
    async (alg) => {
      const token = fx.issuer.mint({}, { alg, kid: null, signature: 'none-empty' })
      expect(token.endsWith('.')).toBe(true)
      await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
      expect(fx.server.jwksRequests).toBe(0)
    },
  )

  it.each([
    ['an SPKI PEM', () => fx.issuer.signingKey.publicKey.export({ type: 'spki', format: 'pem' })],
    ['a PKCS#1 PEM', () => fx.issuer.signingKey.publicKey.export({ type: 'pkcs1', format: 'pem' })],
    ['JWK JSON text', () => JSON.stringify(fx.issuer.signingKey.publicJwk)],
  ])('rejects HS256 keyed with the RSA public key as %s', async (_, secret) => {
    const token = fx.issuer.mint({}, { alg: 'HS256', hmacSecret: secret() })
    await expectInvalidToken(fx.verifier().verify(token), 'algorithm_not_allowed')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it('rejects an allowed-by-default algorithm missing from the configured allowlist', async () => {
    await expectInvalidToken(
      fx.verifier({ algorithms: ['ES256'] }).verify(fx.issuer.mint()),
      'algorithm_not_allowed',
    )
  })

  it('rejects an RS256 token signed by a key whose JWK names alg RS384', async () => {
    const key = await fx.issuer.addKey({ alg: 'RS384' })
    const verifier = fx.verifier()
    // Control: the key verifies its own algorithm.
    await expect(verifier.verify(fx.issuer.mint({}, { key }))).resolves.toBeDefined()
    await expectInvalidToken(
      verifier.verify(fx.issuer.mint({}, { key, alg: 'RS256', signWith: 'RS256' })),
      'invalid_signature',
    )
  })

  it('rejects a token signed by another key under a published kid', async () => {
    const other = await fx.issuer.addKey({ publish: false })
    const token = fx.issuer.mint({}, { key: other, kid: fx.issuer.signingKey.kid })
    await expectInvalidToken(fx.verifier().verify(token), 'invalid_signature')
  })

  it('rejects an ECDSA signature in DER encoding', async () => {
    const key = await fx.issuer.addKey({ alg: 'ES256' })
    const [header, payload] = segments(fx.issuer.mint({}, { key }))
    const der = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: key.privateKey,
      dsaEncoding: 'der',
    })
    const verifier = fx.verifier()
    await expect(verifier.verify(signSegments(header, payload, key))).resolves.toBeDefined()
    await expectInvalidToken(
      verifier.verify(`${header}.${payload}.${der.toString('base64url')}`),
      'invalid_signature',
    )
  })

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('rejects an all-zero %s signature', async (alg) => {
    const key = await fx.issuer.addKey({ alg })
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { key, signature: 'zeros' })),
      'invalid_signature',
    )
  })

  describe('tokens without kid', () => {
    let signer: TestIssuer
    let server: JwksServer
    let verifier: Verifier
    let rsa: TestKey
    let ec: TestKey
    let rs384: TestKey

    beforeAll(async () => {
      signer = await TestIssuer.create({ issuer: fx.issuer.issuer, audience: fx.issuer.audience })
      rsa = await signer.addKey({ alg: 'RS256', publish: false })
      ec = await signer.addKey({ alg: 'ES256', publish: false })
      rs384 = await signer.addKey({ alg: 'RS384', publish: false })
      const withoutKid = (key: TestKey): Record<string, unknown> => ({
        ...key.publicJwk,
        kid: undefined,
      })
      server = await startJwksServer({
        jwks: () => ({ keys: [rsa, ec, rs384].map(withoutKid) }),
      })
      verifier = createVerifier({
        issuer: signer.issuer,
        audience: signer.audience,
        jwksUri: server.url,
      })
    }, SETUP_TIMEOUT_MS)

    afterAll(async () => {
      verifier.close()
      await server.close()
    })

    it.each(['RS256', 'ES256'] as const)(
      'verifies a %s token against the key of its family',
      async (alg) => {
        const key = alg === 'RS256' ? rsa : ec
        const auth = await verifier.verify(signer.mint({}, { key, kid: null }))
        expect({ kid: auth.kid, alg: auth.header.alg }).toEqual({ kid: undefined, alg })
      },
    )

    it('never tries an RS256 token against a key whose JWK names RS384', async () => {
      const token = signer.mint({}, { key: rs384, kid: null, alg: 'RS256', signWith: 'RS256' })
      await expectInvalidToken(verifier.verify(token), 'invalid_signature')
    })

    it('rejects an ES384 token as unknown_key when no published key fits ES384', async () => {
      const p384 = await signer.addKey({ alg: 'ES384', publish: false })
      await expectInvalidToken(
        verifier.verify(signer.mint({}, { key: p384, kid: null })),
        'unknown_key',
      )
    })
  })
})

describe('header policy', () => {
  let attacker: TestIssuer
  let attackerServer: JwksServer

  beforeAll(async () => {
    attacker = await TestIssuer.create({ issuer: fx.issuer.issuer, audience: fx.issuer.audience })
    attackerServer = await startJwksServer({ issuer: attacker })
  }, SETUP_TIMEOUT_MS)

  afterAll(async () => {
    await attackerServer.close()
  })

  beforeEach(() => {
    attackerServer.reset()
  })

  it.each([
    ['jwk', () => attacker.signingKey.publicJwk],
    ['jku', () => attackerServer.url],
    ['x5u', () => `${attackerServer.origin}/cert.pem`],
  ])(
    'ignores an embedded %s header: the attacker-signed token fails against the configured keys',
    async (member, value) => {
      const verifier = fx.verifier()
      await verifier.warmup()
      fx.server.reset()
      const token = attacker.mint(
        {},
        { kid: fx.issuer.signingKey.kid, header: { [member]: value() } },
      )
      await expectInvalidToken(verifier.verify(token), 'invalid_signature')
      expect(fx.server.jwksRequests).toBe(0)
      expect(attackerServer.requests).toHaveLength(0)
    },
  )

  it('never fetches a jku even when the kid exists only at that URL', async () => {
    const verifier = fx.verifier()
    await verifier.warmup()
    fx.server.reset()
    const token = attacker.mint({}, { header: { jku: attackerServer.url } })
    await expectInvalidToken(verifier.verify(token), 'unknown_key')
    // The one allowed unknown-kid refresh goes to the configured JWKS, never to the header's URL.
    expect(fx.server.jwksRequests).toBe(1)
    expect(attackerServer.requests).toHaveLength(0)
  })

  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', 'jwt', null])(
    'accepts typ %s under the default policy',
    async (typ) => {
      const auth = await fx.verifier().verify(fx.issuer.mint({}, { typ }))
      expect(auth.header.typ).toBe(typ ?? undefined)
    },
  )

  it.each(['dpop+jwt', 'logout+jwt', 'secevent+jwt', 'application/dpop+jwt', 'id_token+jwt'])(
    'rejects typ %s under the default policy',
    async (typ) => {
      await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({}, { typ })), 'invalid_type')
    },
  )

  it('rejects a non-string typ', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { typ: null, header: { typ: 1 } })),
      'invalid_type',
    )
  })

  it('requires the configured typ when the typ option is set', async () => {
    const verifier = fx.verifier({ typ: 'application/at+jwt' })
    await expect(verifier.verify(fx.issuer.mint({}, { typ: 'at+jwt' }))).resolves.toBeDefined()
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { typ: 'JWT' })), 'invalid_type')
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { typ: null })), 'invalid_type')
  })

  it('rejects a crit header, whatever it names', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { header: { crit: ['exp'], exp: T } })),
      'malformed_token',
    )
  })

  it('rejects an unencoded payload (b64: false)', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { header: { b64: false } })),
      'malformed_token',
    )
  })

  it.each(['JWT', 'jwt', 'application/JWT'])('rejects a nested token (cty: %s)', async (cty) => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { header: { cty } })),
      'invalid_type',
    )
  })

  it.each([123, null, ['kid'], { id: 'kid' }])('rejects a non-string kid (%j)', async (kid) => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { kid: null, header: { kid } })),
      'malformed_token',
    )
  })

  describe("profile: 'rfc9068'", () => {
    it('accepts an at+jwt token with iss, exp, aud, sub, client_id, iat and jti', async () => {
      const auth = await fx.verifier({ profile: 'rfc9068' }).verify(fx.issuer.mint())
      expect(auth.header.typ).toBe('at+jwt')
    })

    it.each(['JWT', null])('rejects typ %s', async (typ) => {
      await expectInvalidToken(
        fx.verifier({ profile: 'rfc9068' }).verify(fx.issuer.mint({}, { typ })),
        'invalid_type',
      )
    })

    it.each([
      ['sub', 'invalid_claim'],
      ['client_id', 'invalid_claim'],
      ['iat', 'invalid_claim'],
      ['jti', 'invalid_claim'],
      ['exp', 'invalid_claim'],
      ['aud', 'invalid_audience'],
      ['iss', 'invalid_issuer'],
    ] as const)('rejects a token without %s', async (claim, code) => {
      await expectInvalidToken(
        fx.verifier({ profile: 'rfc9068' }).verify(fx.issuer.mint({ [claim]: undefined })),
        code,
      )
    })

    it('accepts the same token without sub when no profile is set', async () => {
      const auth = await fx.verifier().verify(fx.issuer.mint({ sub: undefined }))
      expect(auth.subject).toBeUndefined()
    })
  })
})

describe('issuer and audience', () => {
  it('rejects a token whose iss has a trailing slash the configuration lacks, without a fetch', async () => {
    const verifier = fx.verifier({ issuer: 'https://issuer.test' })
    await expectInvalidToken(verifier.verify(fx.issuer.mint()), 'invalid_issuer')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it.each(['https://issuer.test', 'https://ISSUER.test/', 'https://issuer.test//', 42])(
    'rejects iss %j for the configured https://issuer.test/',
    async (iss) => {
      await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({ iss })), 'invalid_issuer')
    },
  )

  it('rejects a token without iss', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ iss: undefined })),
      'invalid_issuer',
    )
  })

  it.each([
    ['another audience', 'https://other.test'],
    ['an audience differing by a trailing slash', 'https://api.test/'],
    ['an array without the audience', ['https://other.test']],
    ['an array with a non-string', ['https://api.test', 7]],
    ['an empty array', []],
    ['null', null],
    ['a number', 1],
  ])('rejects aud as %s', async (_, aud) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({ aud })), 'invalid_audience')
  })

  it('rejects a token without aud', async () => {
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({ aud: undefined })),
      'invalid_audience',
    )
  })

  it('accepts a token without aud when audience is explicitly null', async () => {
    const auth = await fx.verifier({ audience: null }).verify(fx.issuer.mint({ aud: undefined }))
    expect(auth.audience).toEqual([])
  })

  it('still rejects an aud array with a non-string when audience is null', async () => {
    await expectInvalidToken(
      fx.verifier({ audience: null }).verify(fx.issuer.mint({ aud: ['x', 1] })),
      'invalid_audience',
    )
  })

  it.each([undefined, null])('rejects a required claim that is %s', async (value) => {
    await expectInvalidToken(
      fx.verifier({ requiredClaims: ['tenant'] }).verify(fx.issuer.mint({ tenant: value })),
      'invalid_claim',
    )
  })

  it('accepts a token carrying every required claim', async () => {
    const auth = await fx
      .verifier({ requiredClaims: ['tenant'] })
      .verify(fx.issuer.mint({ tenant: 'acme' }))
    expect(auth.claims.tenant).toBe('acme')
  })

  it.each(['sub', 'client_id', 'azp', 'jti'])('rejects a non-string %s', async (claim) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({ [claim]: 1 })), 'invalid_claim')
  })
})

describe('token syntax', () => {
  it('accepts a token re-signed by the test helper (control for the cases below)', async () => {
    const [header, payload] = segments(fx.issuer.mint())
    const auth = await fx.verifier().verify(signSegments(header, payload, fx.issuer.signingKey))
    expect(auth.kid).toBe(fx.issuer.signingKey.kid)
  })

  it('rejects base64 padding in a segment, even with a valid signature over it', async () => {
    const [header, payload] = segments(mintWhere((_, p) => p.length % 4 === 2))
    const token = signSegments(header, `${payload}==`, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it.each([' ', '\n', '\t'])('rejects whitespace (%j) inside a segment', async (space) => {
    const [header, payload] = segments(fx.issuer.mint())
    const middle = Math.floor(payload.length / 2)
    const spaced = `${payload.slice(0, middle)}${space}${payload.slice(middle)}`
    const token = signSegments(header, spaced, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects the standard base64 alphabet (+ and /) in a segment', async () => {
    const [header, payload] = segments(mintWhere((_, p) => /[-_]/.test(p), '?>~'))
    const standard = payload.replaceAll('-', '+').replaceAll('_', '/')
    const token = signSegments(header, standard, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it.each([2, 3])(
    'rejects non-zero trailing bits in a segment of length 4n+%i',
    async (remainder) => {
      const [header, payload] = segments(mintWhere((_, p) => p.length % 4 === remainder))
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const last = alphabet.indexOf(payload.at(-1)!)
      // The lowest bit of the last character is a pad bit in both cases (RFC 4648 §3.5).
      const altered = payload.slice(0, -1) + alphabet[last | 1]!
      expect(altered).not.toBe(payload)
      expect(Buffer.from(altered, 'base64url')).toEqual(Buffer.from(payload, 'base64url'))
      const token = signSegments(header, altered, fx.issuer.signingKey)
      await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
    },
  )

  it('rejects a byte order mark before the header JSON', async () => {
    const header = { alg: 'RS256', typ: 'at+jwt', kid: fx.issuer.signingKey.kid }
    const token = fx.issuer.mint({}, { rawHeader: `\uFEFF${JSON.stringify(header)}` })
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects a byte order mark before the payload JSON', async () => {
    const token = fx.issuer.mint({}, { rawPayload: `\uFEFF${JSON.stringify(fx.issuer.claims())}` })
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it.each([
    ['header', { rawHeader: '{alg: RS256}' }],
    ['payload', { rawPayload: 'not json' }],
    ['payload', { rawPayload: '' }],
  ])('rejects a %s that is not JSON', async (_, options) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint({}, options)), 'malformed_token')
  })

  it.each(['[{"sub":"a"}]', '"claims"', 'null', '42', 'true'])(
    'rejects a payload that is JSON but not an object: %s',
    async (rawPayload) => {
      await expectInvalidToken(
        fx.verifier().verify(fx.issuer.mint({}, { rawPayload })),
        'malformed_token',
      )
    },
  )

  it('rejects a header that is a JSON array', async () => {
    const header = { alg: 'RS256', kid: fx.issuer.signingKey.kid }
    const token = fx.issuer.mint({}, { rawHeader: JSON.stringify([header]) })
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects a header naming alg twice, even when the last value is a good one', async () => {
    const kid = fx.issuer.signingKey.kid
    const rawHeader = `{"alg":"none","typ":"at+jwt","kid":"${kid}","alg":"RS256"}`
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { rawHeader })),
      'malformed_token',
    )
  })

  it('rejects a payload naming sub twice', async () => {
    const rawPayload = `${JSON.stringify(fx.issuer.claims()).slice(0, -1)},"sub":"admin"}`
    await expectInvalidToken(
      fx.verifier().verify(fx.issuer.mint({}, { rawPayload })),
      'malformed_token',
    )
  })

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an invalid byte', [0xff]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('rejects a payload with invalid UTF-8: %s', async (_, bytes) => {
    const [header] = segments(fx.issuer.mint())
    const claims = JSON.stringify(fx.issuer.claims()).slice(0, -1)
    const payload = Buffer.concat([
      Buffer.from(`${claims},"name":"`),
      Buffer.from(bytes),
      Buffer.from('"}'),
    ])
    const token = signBytes(Buffer.from(header, 'base64url'), payload, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects invalid UTF-8 in the header', async () => {
    const kid = fx.issuer.signingKey.kid
    const header = Buffer.concat([
      Buffer.from(`{"alg":"RS256","kid":"${kid}","x":"`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ])
    const payload = Buffer.from(JSON.stringify(fx.issuer.claims()))
    const token = signBytes(header, payload, fx.issuer.signingKey)
    await expectInvalidToken(fx.verifier().verify(token), 'malformed_token')
  })

  it('rejects a token over the default 8 KiB before fetching any key', async () => {
    const token = fx.issuer.mint({ filler: 'x'.repeat(9000) })
    await expectInvalidToken(fx.verifier().verify(token), 'token_too_large')
    expect(fx.server.jwksRequests).toBe(0)
  })

  it('accepts a token of exactly maxTokenBytes and rejects one byte less of budget', async () => {
    const token = fx.issuer.mint()
    await expect(fx.verifier({ maxTokenBytes: token.length }).verify(token)).resolves.toBeDefined()
    await expectInvalidToken(
      fx.verifier({ maxTokenBytes: token.length - 1 }).verify(token),
      'token_too_large',
    )
  })

  it.each([
    ['two segments', (t: string) => t.slice(0, t.lastIndexOf('.'))],
    ['four segments', (t: string) => `${t}.AAAA`],
    ['five segments (a JWE)', (t: string) => `${t}.AAAA.AAAA`],
    ['an empty header', (t: string) => t.slice(t.indexOf('.'))],
    ['a trailing dot', (t: string) => `${t}.`],
  ])('rejects a token with %s', async (_, reshape) => {
    await expectInvalidToken(fx.verifier().verify(reshape(fx.issuer.mint())), 'malformed_token')
  })

  it.each([undefined, null, 42, {}])('rejects a non-string token (%j)', async (token) => {
    await expectInvalidToken(fx.verifier().verify(token as never), 'malformed_token')
  })
})

describe('key lookup', () => {
  it('rejects an unknown kid after exactly one refresh, and refreshes no more inside the cooldown', async () => {
    const verifier = fx.verifier()
    const hidden = await fx.issuer.addKey({ publish: false })
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { key: hidden })), 'unknown_key')
    // One fetch to get keys at all, one refresh for the unknown kid.
    expect(fx.server.jwksRequests).toBe(2)
    const another = await fx.issuer.addKey({ publish: false })
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { key: another })), 'unknown_key')
    expect(fx.server.jwksRequests).toBe(2)
  })

  it('verifies a token of a newly published key after one refresh', async () => {
    const verifier = fx.verifier()
    await verifier.warmup()
    const next = await fx.issuer.addKey()
    const auth = await verifier.verify(fx.issuer.mint({}, { key: next }))
    expect(auth.kid).toBe(next.kid)
    expect(fx.server.jwksRequests).toBe(2)
  })
})

describe('keys dropped from the JWKS', () => {
  let signer: TestIssuer
  let server: JwksServer
  let hostile: Record<string, unknown> = {}
  const events: KeywardEvent[] = []
  const verifiers: Verifier[] = []

  beforeAll(async () => {
    signer = await TestIssuer.create()
    server = await startJwksServer({ jwks: () => ({ keys: [hostile, ...signer.jwks().keys] }) })
  }, SETUP_TIMEOUT_MS)

  afterAll(async () => {
    for (const verifier of verifiers) verifier.close()
    await server.close()
  })

  function verifierFor(): Verifier {
    events.length = 0
    const verifier = createVerifier({
      issuer: signer.issuer,
      audience: signer.audience,
      jwksUri: server.url,
      onEvent: (event) => events.push(event),
    })
    verifiers.push(verifier)
    return verifier
  }

  /** A TestKey whose published JWK a test replaces with a hostile variant. */
  async function unpublished(alg: TestAlgorithm = 'RS256'): Promise<TestKey> {
    return signer.addKey({ alg, publish: false })
  }

  function rsaKey(bits: number): TestKey {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
    const kid = `rsa-${bits}`
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
    return { kid, alg: 'RS256', privateKey, publicKey, publicJwk }
  }

  /**
   * With e = 1 the RSA "public operation" is the identity, so the EMSA-PKCS1-v1_5 encoding of
   * the hash is itself a valid signature (RFC 8017 §9.2): a forgery needing no private key.
   */
  function forgeForExponentOne(kid: string, modulusBytes: number): string {
    const header = encodeJson({ alg: 'RS256', typ: 'at+jwt', kid })
    const payload = encodeJson(signer.claims())
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(`${header}.${payload}`).digest(),
    ])
    const padding = Buffer.alloc(modulusBytes - digestInfo.length - 3, 0xff)
    const encoded = Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo])
    return `${header}.${payload}.${encoded.toString('base64url')}`
  }

  type Case = () => Promise<{ jwk: Record<string, unknown>; token: string }>
  const cases: [string, string, Case][] = [
    [
      'a private RSA key',
      'private_key',
      async () => {
        const key = await unpublished()
        const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, use: 'sig' }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a private EC key',
      'private_key',
      async () => {
        const key = await unpublished('ES256')
        const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a symmetric oct key',
      'symmetric_key',
      async () => {
        const key = await unpublished()
        return { jwk: symmetricJwk(key.kid), token: signer.mint({}, { key }) }
      },
    ],
    [
      'a key with use: enc',
      'not_for_signing',
      async () => {
        const key = await unpublished()
        return { jwk: { ...key.publicJwk, use: 'enc' }, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a key whose key_ops lack verify',
      'no_verify_operation',
      async () => {
        const key = await unpublished()
        const jwk = { ...key.publicJwk, key_ops: ['encrypt'] }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a 1024-bit RSA key',
      'weak_rsa_key',
      () => {
        const key = rsaKey(1024)
        return Promise.resolve({ jwk: key.publicJwk, token: signer.mint({}, { key }) })
      },
    ],
    [
      'an RSA key with e = 1 (and a forged signature)',
      'weak_rsa_exponent',
      async () => {
        const key = await unpublished()
        const jwk = { ...key.publicJwk, e: 'AQ' }
        return { jwk, token: forgeForExponentOne(key.kid, 256) }
      },
    ],
    [
      'an RSA key with an even exponent',
      'weak_rsa_exponent',
      async () => {
        const key = await unpublished()
        // 65536: even, so not invertible, whatever the modulus.
        return { jwk: { ...key.publicJwk, e: 'AQAA' }, token: signer.mint({}, { key }) }
      },
    ],
    [
      'a small-order Ed25519 key (and a forged signature)',
      'small_order_key',
      () => {
        // The identity point: [k]A vanishes, so R = identity with S = 0 verifies any message.
        const identity = Buffer.from(`01${'00'.repeat(31)}`, 'hex')
        const kid = 'ed-identity'
        const jwk = { kty: 'OKP', crv: 'Ed25519', x: identity.toString('base64url'), kid }
        const header = encodeJson({ alg: 'EdDSA', typ: 'at+jwt', kid })
        const payload = encodeJson(signer.claims())
        const signature = Buffer.concat([identity, Buffer.alloc(32)]).toString('base64url')
        return Promise.resolve({ jwk, token: `${header}.${payload}.${signature}` })
      },
    ],
    [
      'a key of unknown kty',
      'unsupported_key_type',
      async () => {
        const key = await unpublished()
        const jwk = { kty: 'RSA-HSM', kid: key.kid, n: key.publicJwk.n, e: key.publicJwk.e }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'an EC key on an unsupported curve',
      'unsupported_curve',
      async () => {
        const key = await unpublished('ES256')
        const jwk = { ...key.publicJwk, crv: 'secp256k1', alg: undefined }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
    [
      'an OKP key on an unsupported curve',
      'unsupported_curve',
      async () => {
        const key = await unpublished('EdDSA')
        const jwk = { ...key.publicJwk, crv: 'Ed448' }
        return { jwk, token: signer.mint({}, { key }) }
      },
    ],
  ]

  it.each(cases)(
    'drops %s: its token is rejected, the event names kid and %s, and a good key still works',
    async (_, reason, build) => {
      const { jwk, token } = await build()
      hostile = jwk
      const verifier = verifierFor()
      const good = await verifier.verify(signer.mint())
      expect(good.kid).toBe(signer.signingKey.kid)
      await expectInvalidToken(verifier.verify(token), 'unknown_key')
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'jwks_key_dropped', kid: jwk.kid, index: 0, reason }),
      )
    },
  )

  it('proves the e = 1 forgery is real: the same key, unvalidated, would accept it', async () => {
    const key = await unpublished()
    const token = forgeForExponentOne(key.kid, 256)
    const [header, payload, signature] = segments(token)
    const weak = createPublicKey({
      key: { kty: 'RSA', n: key.publicJwk.n as string, e: 'AQ' },
      format: 'jwk',
    })
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        weak,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true)
  })

  it('rejects an HS256 token signed with the secret of a published oct key', async () => {
    const jwk = symmetricJwk('oct-1')
    hostile = jwk
    const token = signer.mint(
      {},
      { alg: 'HS256', kid: 'oct-1', hmacSecret: Buffer.from(jwk.k as string, 'base64url') },
    )
    await expectInvalidToken(verifierFor().verify(token), 'algorithm_not_allowed')
  })
})

describe('claims hygiene', () => {
  it('keeps __proto__ and constructor claims as inert own data properties', async () => {
    const claims = JSON.stringify(fx.issuer.claims()).slice(0, -1)
    const rawPayload = `${claims},"__proto__":{"polluted":true,"scope":"admin"},"constructor":{"prototype":{"polluted":true}}}`
    const auth = await fx.verifier().verify(fx.issuer.mint({}, { rawPayload }))
    expect(Object.getPrototypeOf(auth.claims)).toBeNull()
    expect(Object.getOwnPropertyDescriptor(auth.claims, '__proto__')).toMatchObject({
      value: { polluted: true, scope: 'admin' },
      writable: false,
    })
    expect(Object.hasOwn(auth.claims, 'constructor')).toBe(true)
    expect(auth.scopes).toEqual(['read:things'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('keeps a __proto__ header member inert', async () => {
    const kid = fx.issuer.signingKey.kid
    const rawHeader = `{"alg":"RS256","typ":"at+jwt","kid":"${kid}","__proto__":{"alg":"none"}}`
    const auth = await fx.verifier().verify(fx.issuer.mint({}, { rawHeader }))
    expect(auth.header.alg).toBe('RS256')
    expect(Object.hasOwn(auth.header, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(auth.header)).toBeNull()
  })

  it('returns a frozen result', async () => {
    const auth = await fx.verifier().verify(fx.issuer.mint())
    expect(
      [auth, auth.claims, auth.header, auth.scopes, auth.audience].map(Object.isFrozen),
    ).toEqual([true, true, true, true, true])
  })
})

describe('scopes', () => {
  it.each([
    ['a scope string, deduplicated', { scope: 'a b  a' }, ['a', 'b']],
    ['an scp string', { scope: undefined, scp: 'a b' }, ['a', 'b']],
    ['an scp array', { scope: undefined, scp: ['a', 'b', 'a'] }, ['a', 'b']],
    [
      'a permissions array',
      { scope: undefined, permissions: ['read:x', 'write:x'] },
      ['read:x', 'write:x'],
    ],
    [
      'all three, merged in order without duplicates',
      { scope: 'a b', scp: ['b', 'c'], permissions: ['c', 'd'] },
      ['a', 'b', 'c', 'd'],
    ],
    ['no scope claim at all', { scope: undefined }, []],
  ])('normalises %s', async (_, claims, scopes) => {
    const auth = await fx.verifier().verify(fx.issuer.mint(claims))
    expect(auth.scopes).toEqual(scopes)
  })

  it.each([
    ['scope as an array', { scope: ['a'] }],
    ['scope as a number', { scope: 1 }],
    ['scp as a number', { scp: 1 }],
    ['scp with a non-string entry', { scp: ['a', 1] }],
    ['permissions as a string', { permissions: 'a' }],
    ['permissions with a non-string entry', { permissions: [null] }],
  ])('rejects %s', async (_, claims) => {
    await expectInvalidToken(fx.verifier().verify(fx.issuer.mint(claims)), 'invalid_claim')
  })
})
