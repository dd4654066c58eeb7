import { TestIssuer } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeUnverified, isKeywardError } from '../src/index.js'

let issuer: TestIssuer

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
})

function code(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return isKeywardError(error) ? error.code : 'not a KeywardError'
  }
  return undefined
}

describe('decodeUnverified', () => {
  it('returns the header, the claims and only the length of the signature', () => {
    const token = issuer.mint({ sub: 'user-1' })
    const decoded = decodeUnverified(token)
    expect(decoded.header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: issuer.signingKey.kid })
    expect(decoded.claims.sub).toBe('user-1')
    expect(decoded.signatureBytes).toBe(64)
    expect(JSON.stringify(decoded)).not.toContain(token.split('.')[2])
  })

  it('decodes a token whatever its signature and claims say', () => {
    const [header, payload] = issuer.mint({ exp: 1, iss: 'https://other.example/' }).split('.')
    const decoded = decodeUnverified(`${header}.${payload}.AAAA`)
    expect(decoded.claims).toMatchObject({ exp: 1, iss: 'https://other.example/' })
  })

  it('refuses what the verifier cannot decode, with its codes', () => {
    expect(code(() => decodeUnverified('not-a-token'))).toBe('malformed_token')
    expect(code(() => decodeUnverified(issuer.mint(), { maxTokenBytes: 16 }))).toBe(
      'token_too_large',
    )
  })

  it('keeps a __proto__ member inert', () => {
    const header = Buffer.from('{"alg":"ES256","__proto__":{"polluted":true}}').toString(
      'base64url',
    )
    const payload = Buffer.from('{"sub":"x"}').toString('base64url')
    const decoded = decodeUnverified(`${header}.${payload}.AAAA`)
    expect(Object.getPrototypeOf(decoded.header)).toBeNull()
    expect((decoded.header as { polluted?: unknown }).polluted).toBeUndefined()
  })
})
