// Verifier rules: exp, nbf and iat against an injected clock, the tolerance and the age and
// lifetime caps (RFC 7519 §4.1.4-6).
import { describe, expect, it } from 'vitest'
import { expectInvalidToken, useFixture } from '../helpers.js'
import { clocked, T, T_MS } from './support.js'

const fx = useFixture()

describe('time claims and clock tolerance', () => {
  it('accepts a token 1 ms inside the default 30 s tolerance after exp', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T })
    const auth = await clocked(fx, T_MS + 30_000 - 1).verify(token)
    expect(auth.expiresAt).toBe(T)
  })

  it('rejects a token exactly at exp plus the tolerance as expired', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T })
    await expectInvalidToken(clocked(fx, T_MS + 30_000).verify(token), 'token_expired')
  })

  it('honours a fractional exp to the millisecond', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T + 0.5 })
    await expect(clocked(fx, T_MS + 500 + 30_000 - 1).verify(token)).resolves.toBeDefined()
    await expectInvalidToken(clocked(fx, T_MS + 500 + 30_000).verify(token), 'token_expired')
  })

  it('rejects a token at exp when clockToleranceMs is 0', async () => {
    const token = fx.issuer.mint({ iat: T - 60, exp: T })
    await expect(
      clocked(fx, T_MS - 1, { clockToleranceMs: 0 }).verify(token),
    ).resolves.toBeDefined()
    await expectInvalidToken(
      clocked(fx, T_MS, { clockToleranceMs: 0 }).verify(token),
      'token_expired',
    )
  })

  it('accepts a token whose nbf is exactly the tolerance ahead of the clock', async () => {
    const token = fx.issuer.mint({ iat: T - 60, nbf: T + 100, exp: T + 600 })
    const auth = await clocked(fx, (T + 100) * 1000 - 30_000).verify(token)
    expect(auth.claims.nbf).toBe(T + 100)
  })

  it('rejects a token whose nbf is 1 ms beyond the tolerance ahead of the clock', async () => {
    const token = fx.issuer.mint({ iat: T - 60, nbf: T + 100, exp: T + 600 })
    await expectInvalidToken(
      clocked(fx, (T + 100) * 1000 - 30_000 - 1).verify(token),
      'token_not_yet_valid',
    )
  })

  it('accepts a token whose iat is exactly the tolerance ahead of the clock', async () => {
    const token = fx.issuer.mint({ iat: T + 100, exp: T + 600 })
    const auth = await clocked(fx, (T + 100) * 1000 - 30_000).verify(token)
    expect(auth.claims.iat).toBe(T + 100)
  })

  it('rejects a token issued 1 ms beyond the tolerance in the future', async () => {
    const token = fx.issuer.mint({ iat: T + 100, exp: T + 600 })
    await expectInvalidToken(
      clocked(fx, (T + 100) * 1000 - 30_000 - 1).verify(token),
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
    const auth = await clocked(fx, T_MS + 60_000 + 30_000, { maxTokenAgeMs: 60_000 }).verify(token)
    expect(auth.claims.iat).toBe(T)
  })

  it('rejects a token 1 ms older than maxTokenAgeMs plus the tolerance', async () => {
    const token = fx.issuer.mint({ iat: T, exp: T + 3600 })
    await expectInvalidToken(
      clocked(fx, T_MS + 60_000 + 30_001, { maxTokenAgeMs: 60_000 }).verify(token),
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
    const auth = await clocked(fx, T_MS, { maxTokenLifetimeMs: 300_000 }).verify(token)
    expect(auth.expiresAt).toBe(T + 300)
  })

  it('rejects a token whose lifetime exceeds maxTokenLifetimeMs', async () => {
    const token = fx.issuer.mint({ iat: T, exp: T + 301 })
    await expectInvalidToken(
      clocked(fx, T_MS, { maxTokenLifetimeMs: 300_000 }).verify(token),
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
