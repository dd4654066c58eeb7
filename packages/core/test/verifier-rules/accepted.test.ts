// Verifier rules: tokens that are accepted, one per algorithm, and what the result exposes.
import { testAlgorithms, type TestAlgorithm, type TestKey } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Verifier } from '../../src/verifier.js'
import {
  expectInvalidToken,
  SETUP_TIMEOUT_MS,
  startFixture,
  useFixture,
  type Fixture,
} from '../helpers.js'
import { clocked, T, T_MS } from './support.js'

const fx = useFixture()

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
    const auth = await clocked(fx, T_MS).verify(fx.issuer.mint({ iat: T, exp: T + 60.25 }))
    expect(auth.expiresAt).toBe(T + 60.25)
  })
})
