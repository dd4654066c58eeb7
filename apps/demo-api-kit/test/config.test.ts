import { describe, expect, it } from 'vitest'
import { loadApiConfig } from '../src/config.js'

const defaults = { service: 'koa-api', audience: 'urn:keyward:demo:koa-api' }
const quiet = (): void => undefined

describe('loadApiConfig', () => {
  it('needs only ISSUER_URL and leaves every keyward default alone', () => {
    const config = loadApiConfig({ ISSUER_URL: 'http://127.0.0.1:4000' }, defaults, quiet)
    expect(config).toMatchObject({ service: 'koa-api', port: 0 })
    expect(config.verifier).toMatchObject({
      issuer: 'http://127.0.0.1:4000',
      audience: 'urn:keyward:demo:koa-api',
      fetchHeaders: { 'user-agent': 'keyward-demo/koa-api' },
    })
    expect(config.verifier).not.toHaveProperty('clockToleranceMs')
    expect(config.verifier).not.toHaveProperty('jwks')
  })

  it('maps the tuning variables onto verifier options', () => {
    const config = loadApiConfig(
      {
        ISSUER_URL: 'http://127.0.0.1:4000',
        AUDIENCE: 'urn:other',
        PORT: '8080',
        SERVICE_NAME: 'late-api',
        CLOCK_TOLERANCE_MS: '1000',
        JWKS_CACHE_MAX_AGE_MS: '2000',
      },
      defaults,
      quiet,
    )
    expect(config).toMatchObject({ service: 'late-api', port: 8080 })
    expect(config.verifier).toMatchObject({
      audience: 'urn:other',
      clockToleranceMs: 1000,
      fetchHeaders: { 'user-agent': 'keyward-demo/late-api' },
      jwks: { cacheMaxAgeMs: 2000 },
    })
    expect(config.verifier.jwks).not.toHaveProperty('cacheFloorMs')
  })

  it('throws a TypeError naming the variable that is missing or malformed', () => {
    expect(() => loadApiConfig({}, defaults, quiet)).toThrow(/ISSUER_URL/)
    expect(() =>
      loadApiConfig({ ISSUER_URL: 'http://127.0.0.1:1', PORT: 'eighty' }, defaults, quiet),
    ).toThrow(/PORT/)
  })
})
