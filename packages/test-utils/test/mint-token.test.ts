import { createHmac } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { TestIssuer } from '../src/index.js'
import { decode, verifyCompact } from './verify-compact.js'

let issuer: TestIssuer

beforeAll(async () => {
  issuer = await TestIssuer.create()
})

describe('mint header options', () => {
  it('writes an overriding alg but still signs with the key algorithm', () => {
    const token = issuer.mint({}, { alg: 'PS256' })
    expect(decode(token).header.alg).toBe('PS256')
    expect(verifyCompact(token, issuer.signingKey.publicJwk, 'RS256')).toBe(true)
    expect(verifyCompact(token, issuer.signingKey.publicJwk, 'PS256')).toBe(false)
  })

  it('signs with the signWith algorithm when given', () => {
    const token = issuer.mint({}, { signWith: 'PS256' })
    expect(decode(token).header.alg).toBe('RS256')
    expect(verifyCompact(token, issuer.signingKey.publicJwk, 'PS256')).toBe(true)
  })

  it('overrides or omits kid and typ', () => {
    expect(decode(issuer.mint({}, { kid: 'other', typ: 'JWT' })).header).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'other',
    })
    expect(decode(issuer.mint({}, { kid: null, typ: null })).header).toEqual({ alg: 'RS256' })
  })

  it('adds, overrides and removes header members', () => {
    const header = { crit: ['exp'], kid: 'from-header', typ: undefined }
    expect(decode(issuer.mint({}, { header })).header).toEqual({
      alg: 'RS256',
      kid: 'from-header',
      crit: ['exp'],
    })
  })

  it('signs with a given key and puts its kid in the header', async () => {
    const other = await issuer.addKey({ alg: 'ES512', publish: false })
    const token = issuer.mint({}, { key: other })
    expect(decode(token).header).toMatchObject({ alg: 'ES512', kid: other.kid })
    expect(verifyCompact(token, other.publicJwk)).toBe(true)
  })
})

describe('mint raw segments', () => {
  it('uses rawHeader and rawPayload byte for byte, and signs them', () => {
    const rawHeader = `{"alg":"RS256","kid":"${issuer.signingKey.kid}","alg":"none"}`
    const rawPayload = '{"sub":"x",'
    const token = issuer.mint({}, { rawHeader, rawPayload })
    const [h, p] = token.split('.')
    expect(Buffer.from(h!, 'base64url').toString()).toBe(rawHeader)
    expect(Buffer.from(p!, 'base64url').toString()).toBe(rawPayload)
    expect(verifyCompact(token, issuer.signingKey.publicJwk, 'RS256')).toBe(true)
  })
})

describe('mint signature options', () => {
  it('leaves the signature empty with none-empty', () => {
    const token = issuer.mint({}, { alg: 'none', signature: 'none-empty' })
    expect(token.endsWith('.')).toBe(true)
    expect(token.split('.')).toHaveLength(3)
    expect(decode(token).header.alg).toBe('none')
  })

  it('writes zeros as long as a real signature with zeros', () => {
    const { signature } = decode(issuer.mint({}, { signature: 'zeros' }))
    expect(signature).toHaveLength(256)
    expect(signature.every((byte) => byte === 0)).toBe(true)
  })

  it('uses a given signature buffer verbatim', () => {
    const token = issuer.mint({}, { signature: Buffer.from([1, 2, 3]) })
    expect(token.split('.')[2]).toBe('AQID')
  })

  it('signs with HMAC over the signing input when hmacSecret is set', () => {
    const secret = issuer.signingKey.publicKey.export({ type: 'spki', format: 'pem' })
    const token = issuer.mint({}, { alg: 'HS384', hmacSecret: secret })
    const [h, p, s] = token.split('.')
    expect(decode(token).header.alg).toBe('HS384')
    const expected = createHmac('sha384', secret).update(`${h}.${p}`).digest('base64url')
    expect(s).toBe(expected)
  })

  it('defaults the HMAC header alg to HS256', () => {
    const token = issuer.mint({}, { hmacSecret: 'secret' })
    const [h, p, s] = token.split('.')
    expect(decode(token).header.alg).toBe('HS256')
    expect(s).toBe(createHmac('sha256', 'secret').update(`${h}.${p}`).digest('base64url'))
  })

  it('refuses HMAC with a non-HMAC alg', () => {
    expect(() => issuer.mint({}, { alg: 'RS256', hmacSecret: 'secret' })).toThrow(TypeError)
  })
})
