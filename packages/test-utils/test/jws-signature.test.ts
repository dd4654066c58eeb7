import { constants, createPublicKey, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { TestIssuer, testAlgorithms } from '../src/index.js'
import { decode, verifyCompact } from './verify-compact.js'

const rawSignatureBytes: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 }

describe('signatures of every algorithm', () => {
  it.each(testAlgorithms)('signs %s tokens that verify against the published JWK', async (alg) => {
    const issuer = await TestIssuer.create({ alg })
    const token = issuer.mint()
    const [jwk] = issuer.jwks().keys
    expect(jwk).toMatchObject({ kid: issuer.signingKey.kid, alg, use: 'sig' })
    expect(decode(token).header).toEqual({ alg, typ: 'at+jwt', kid: issuer.signingKey.kid })
    expect(verifyCompact(token, jwk!)).toBe(true)
    // Another token's payload under this signature must fail, or the check above proves nothing.
    const [header, , signature] = token.split('.')
    const otherPayload = issuer.mint({ sub: 'someone-else' }).split('.')[1]
    expect(verifyCompact(`${header}.${otherPayload}.${signature}`, jwk!)).toBe(false)
  })

  it.each(Object.entries(rawSignatureBytes))(
    'encodes %s signatures as raw r||s of %i bytes, not DER',
    async (alg, bytes) => {
      const issuer = await TestIssuer.create({ alg: alg as 'ES256' })
      expect(decode(issuer.mint()).signature).toHaveLength(bytes)
    },
  )

  it('signs PS256 with RSA-PSS, which a PKCS#1 v1.5 verifier rejects', async () => {
    const issuer = await TestIssuer.create({ alg: 'PS256' })
    const { signingInput, signature } = decode(issuer.mint())
    const key = createPublicKey({ key: issuer.jwks().keys[0]!, format: 'jwk' })
    const data = Buffer.from(signingInput)
    const pkcs1 = { key, padding: constants.RSA_PKCS1_PADDING }
    expect(verify('sha256', data, pkcs1, signature)).toBe(false)
    const wrongSalt = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }
    expect(verify('sha256', data, wrongSalt, signature)).toBe(false)
  })

  it('encodes signatures as base64url without padding', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    // 64 bytes would end in '==' with padding; the alphabet excludes '+' and '/'.
    expect(issuer.mint().split('.')[2]).toMatch(/^[A-Za-z0-9_-]{86}$/)
  })
})
