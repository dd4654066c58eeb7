import { describe, expect, it } from 'vitest'
import { FetchFailure, type FetchFailureReason } from '../src/fetch-failure.js'

describe('FetchFailure.misconfigured', () => {
  it.each([400, 401, 403, 404, 405, 406, 410])(
    'calls an answer %i a configuration problem',
    (httpStatus) => {
      expect(new FetchFailure('http_status', { httpStatus }).misconfigured).toBe(true)
    },
  )

  it.each([408, 429, 500, 502, 503, 504, 304])('calls an answer %i an outage', (httpStatus) => {
    expect(new FetchFailure('http_status', { httpStatus }).misconfigured).toBe(false)
  })

  it.each<[FetchFailureReason, boolean]>([
    ['redirect', true],
    ['invalid_json', true],
    ['invalid_shape', true],
    ['issuer_mismatch', true],
    ['unsafe_jwks_uri', true],
    ['jwks_origin_not_allowed', true],
    ['network', false],
    ['timeout', false],
    ['too_large', false],
    ['empty_key_set', false],
    ['no_usable_keys', false],
  ])('calls %s misconfigured: %s', (reason, misconfigured) => {
    expect(new FetchFailure(reason).misconfigured).toBe(misconfigured)
  })
})

describe('FetchFailure for the operator', () => {
  it('names the URL and the status of a 404, and suggests discovery', () => {
    const failure = new FetchFailure('http_status', { httpStatus: 404 }).at('https://a.test/jwks')
    expect(failure).toMatchObject({ url: 'https://a.test/jwks', httpStatus: 404 })
    expect(failure.message).toContain('GET https://a.test/jwks answered 404')
    expect(failure.message).toContain('"jwksUri"')
  })

  it('names both issuer values of a mismatch', () => {
    const failure = new FetchFailure('issuer_mismatch', {
      url: 'https://a.test/.well-known/openid-configuration',
      compared: { expected: 'https://a.test', received: 'https://a.test/' },
    })
    expect(failure.message).toContain('"https://a.test/"')
    expect(failure.message).toContain('"https://a.test"')
  })

  it('keeps the first URL it was given', () => {
    const failure = new FetchFailure('timeout', { url: 'https://first.test' }).at('https://b.test')
    expect(failure.url).toBe('https://first.test')
  })
})
