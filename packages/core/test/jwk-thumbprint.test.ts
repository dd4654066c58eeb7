import { jwkThumbprint as independentThumbprint, TestIssuer } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { importVerificationKey } from '../src/jwk-import.js'
import { isJwkThumbprint, jwkThumbprint } from '../src/jwk-thumbprint.js'

// RFC 7638 §3.1: the example RSA key and its thumbprint.
const RFC7638_RSA = {
  kty: 'RSA',
  e: 'AQAB',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP' +
    'ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvz' +
    'qY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6We' +
    'Zu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
}

describe('jwkThumbprint', () => {
  it('gives the RFC 7638 §3.1 thumbprint of its example RSA key', async () => {
    expect(await jwkThumbprint(RFC7638_RSA)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('gives the RFC 8037 appendix A.3 thumbprint of its example Ed25519 key', async () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
    expect(await jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
  })

  it.each(['RS256', 'ES256', 'ES384', 'EdDSA'] as const)(
    'is computed once at import for %s keys, as an independent implementation computes it',
    async (alg) => {
      const issuer = await TestIssuer.create({ alg })
      const { key } = await importVerificationKey(issuer.signingKey.publicJwk)
      expect(key?.thumbprint).toBe(independentThumbprint(issuer.signingKey.publicJwk))
    },
  )

  it('names the key material alone: kid, alg and use do not change it', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const jwk = issuer.signingKey.publicJwk
    const a = await importVerificationKey(jwk)
    const b = await importVerificationKey({ ...jwk, kid: 'other', alg: undefined, use: undefined })
    expect(a.key?.thumbprint).toBe(b.key?.thumbprint)
    expect(a.key?.fingerprint).not.toBe(b.key?.fingerprint)
  })
})

describe('isJwkThumbprint', () => {
  it('accepts a SHA-256 thumbprint in canonical base64url', () => {
    expect(isJwkThumbprint('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')).toBe(true)
  })

  it.each([
    ['a base64url digest of another length', 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9X'],
    ['padding', 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs='],
    ['standard base64 characters', 'NzbLsXh8uDCcd+6MNwXF4W/7noWXFZAfHkxZsRGC9Xs'],
    [
      'a non-canonical last character (spare bits set)',
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xt',
    ],
    ['a hex SHA-256', '37364bb1787cb8309c77ee8c3705c5e16ffb9e85971590'],
    ['not a string', 42],
  ])('refuses %s', (_, value) => {
    expect(isJwkThumbprint(value)).toBe(false)
  })
})
