import { inspect } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { isKeywardError, KeywardError, statusOf, type KeywardErrorCode } from '../src/errors.js'
import { invalidTokenChallenge, type InvalidTokenCode } from './helpers.js'

const INVALID_TOKEN_CODES: InvalidTokenCode[] = [
  'malformed_token',
  'token_too_large',
  'algorithm_not_allowed',
  'invalid_type',
  'unknown_key',
  'invalid_signature',
  'invalid_issuer',
  'invalid_audience',
  'token_expired',
  'token_not_yet_valid',
  'invalid_claim',
]

describe('KeywardError', () => {
  it.each(INVALID_TOKEN_CODES)('answers %s with 401 and an invalid_token challenge', (code) => {
    const error = new KeywardError(code)
    expect({
      status: error.status,
      statusCode: error.statusCode,
      expose: error.expose,
      oauthError: error.oauthError,
      headers: error.headers,
      json: error.toJSON().error,
    }).toEqual({
      status: 401,
      statusCode: 401,
      expose: true,
      oauthError: 'invalid_token',
      headers: { 'WWW-Authenticate': invalidTokenChallenge(code) },
      json: 'invalid_token',
    })
  })

  it('answers missing_token with 401, a bare Bearer challenge and an empty body', () => {
    const error = new KeywardError('missing_token')
    expect({
      status: error.status,
      expose: error.expose,
      oauthError: error.oauthError,
      headers: error.headers,
      json: error.toJSON(),
    }).toEqual({
      status: 401,
      expose: true,
      oauthError: undefined,
      headers: { 'WWW-Authenticate': 'Bearer' },
      json: {},
    })
  })

  it('answers invalid_request with 400 and an invalid_request challenge', () => {
    const error = new KeywardError('invalid_request')
    expect({
      status: error.status,
      oauthError: error.oauthError,
      json: error.toJSON().error,
    }).toEqual({
      status: 400,
      oauthError: 'invalid_request',
      json: 'invalid_request',
    })
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_request", error_description="malformed or duplicated credentials"',
    )
  })

  it('answers insufficient_scope with 403 and every required scope in the challenge', () => {
    const error = new KeywardError('insufficient_scope', { scopes: ['read:a', 'write:a'] })
    expect({ status: error.status, scopes: error.scopes, headers: error.headers }).toEqual({
      status: 403,
      scopes: ['read:a', 'write:a'],
      headers: {
        'WWW-Authenticate':
          'Bearer error="insufficient_scope", error_description="insufficient scope", scope="read:a write:a"',
      },
    })
  })

  it('answers jwks_unavailable with 503, Retry-After in whole seconds, no challenge and expose false', () => {
    const error = new KeywardError('jwks_unavailable', { retryAfterMs: 2500 })
    expect({
      status: error.status,
      expose: error.expose,
      headers: error.headers,
      json: error.toJSON(),
    }).toEqual({
      status: 503,
      expose: false,
      headers: { 'Retry-After': '3' },
      json: { error: 'temporarily_unavailable' },
    })
  })

  it.each([
    [0, '1'],
    [undefined, '1'],
    [1000, '1'],
    [1001, '2'],
  ])('never advertises a Retry-After below 1 second (retryAfterMs %s)', (retryAfterMs, header) => {
    const options = retryAfterMs === undefined ? {} : { retryAfterMs }
    expect(new KeywardError('jwks_unavailable', options).headers['Retry-After']).toBe(header)
  })

  it('puts realm and resource_metadata in the challenge of withChallenge', () => {
    const cause = new Error('inner')
    const error = new KeywardError('token_expired', { cause }).withChallenge({
      realm: 'api',
      resourceMetadataUrl: 'https://api.test/.well-known/oauth-protected-resource',
    })
    expect({
      code: error.code,
      cause: error.cause,
      header: error.headers['WWW-Authenticate'],
    }).toEqual({
      code: 'token_expired',
      cause,
      header:
        'Bearer realm="api", error="invalid_token", error_description="access token expired", resource_metadata="https://api.test/.well-known/oauth-protected-resource"',
    })
  })

  it('keeps the underlying failure as cause and out of the client body', () => {
    const cause = new Error('secret internal detail')
    const error = new KeywardError('invalid_signature', { cause })
    expect(error.cause).toBe(cause)
    expect(JSON.stringify(error.toJSON())).not.toContain('secret internal detail')
  })

  it.each([
    ...INVALID_TOKEN_CODES,
    'missing_token',
    'invalid_request',
    'insufficient_scope',
  ] as const)('logs %s as one line naming its code, without a stack or a file path', (code) => {
    // Anyone can cause these: a captured stack would cost CPU and fill logs on every request.
    const error = new KeywardError(code, { cause: new Error('inner') })
    for (const text of [error.stack, inspect(error), String(error)]) {
      expect(text).not.toContain('\n')
      expect(text).not.toMatch(/\.[cm]?[jt]s\b/)
    }
    expect(error.stack).toContain(`KeywardError [${code}]`)
    expect(inspect(error)).toBe(error.stack)
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('keeps the stack and cause of jwks_unavailable for operators', () => {
    const error = new KeywardError('jwks_unavailable', { cause: new Error('connect ECONNREFUSED') })
    expect(error.stack).toMatch(/\n\s+at /)
    expect(inspect(error)).toContain('ECONNREFUSED')
  })

  it('is an Error named KeywardError', () => {
    const error = new KeywardError('token_expired')
    expect([error instanceof Error, error.name]).toEqual([true, 'KeywardError'])
  })

  it.each([
    ['missing_token', 401],
    ['invalid_request', 400],
    ['insufficient_scope', 403],
    ['jwks_unavailable', 503],
    ['token_expired', 401],
    ['invalid_dpop_proof', 401],
    ['use_dpop_nonce', 401],
    ['replay_store_unavailable', 503],
    ['token_revoked', 401],
    ['revocation_unavailable', 503],
  ] as [KeywardErrorCode, number][])('maps %s to HTTP %i', (code, status) => {
    expect(statusOf(code)).toBe(status)
  })
})

describe('isKeywardError', () => {
  it('recognises an error from a structurally separate copy of the module', async () => {
    vi.resetModules()
    const copy = await import('../src/errors.js')
    const foreign = new copy.KeywardError('token_expired')
    expect(copy.KeywardError).not.toBe(KeywardError)
    expect(foreign instanceof KeywardError).toBe(false)
    expect(isKeywardError(foreign)).toBe(true)
    expect(copy.isKeywardError(new KeywardError('invalid_request'))).toBe(true)
  })

  it.each([
    ['a plain object with a code and status', { code: 'token_expired', status: 401, expose: true }],
    ['an Error with a known code', Object.assign(new Error('x'), { code: 'token_expired' })],
    ['null', null],
    ['a string', 'token_expired'],
  ])('rejects %s', (_, value) => {
    expect(isKeywardError(value)).toBe(false)
  })

  it('rejects a branded object whose code is not a keyward code', () => {
    const branded = Object.create(KeywardError.prototype) as object
    Object.assign(branded, { code: 'ECONNRESET' })
    expect(isKeywardError(branded)).toBe(false)
  })
})

describe('DPoP challenges (RFC 9449 §7.1, §7.2)', () => {
  const dpop = { algorithms: ['ES256', 'EdDSA'], bearer: true }

  it('offers Bearer then DPoP with algs, the error on the scheme the request used', () => {
    const onBearer = new KeywardError('token_expired', { challenge: { dpop } })
    expect(onBearer.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="access token expired", DPoP algs="ES256 EdDSA"',
    )
    expect(onBearer.withScheme('DPoP').headers['WWW-Authenticate']).toBe(
      'Bearer, DPoP error="invalid_token", error_description="access token expired", algs="ES256 EdDSA"',
    )
  })

  it('puts DPoP-only codes on the DPoP challenge, and everything there when it is the only one', () => {
    const proof = new KeywardError('invalid_dpop_proof', { challenge: { dpop, realm: 'r' } })
    expect(proof.headers['WWW-Authenticate']).toBe(
      'Bearer realm="r", DPoP realm="r", error="invalid_dpop_proof", error_description="invalid DPoP proof", algs="ES256 EdDSA"',
    )
    const only = new KeywardError('missing_token', {
      challenge: { dpop: { ...dpop, bearer: false } },
    })
    expect(only.headers['WWW-Authenticate']).toBe('DPoP algs="ES256 EdDSA"')
  })

  it('sends the fresh nonce of use_dpop_nonce as DPoP-Nonce (RFC 9449 §9)', () => {
    const error = new KeywardError('use_dpop_nonce', { challenge: { dpop }, dpopNonce: 'n-1' })
    expect(error.headers['DPoP-Nonce']).toBe('n-1')
    expect(error.toJSON()).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'DPoP nonce required',
    })
  })

  it('answers replay_store_unavailable with Retry-After and no challenge', () => {
    const error = new KeywardError('replay_store_unavailable', { retryAfterMs: 2500 })
    expect([error.headers, error.expose]).toEqual([{ 'Retry-After': '3' }, false])
  })
})
