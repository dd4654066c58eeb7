// Verifier rules: the `isRevoked` hook, every verification, cache hits included; fails closed.
import { describe, expect, it } from 'vitest'
import { HookFailure } from '../../src/hook-answer.js'
import type { VerifiedToken } from '../../src/verified-token.js'
import { expectInvalidToken, rejectionOf, useFixture } from '../helpers.js'

const fx = useFixture()

/** 503 `revocation_unavailable`: no challenge, `Retry-After` in whole seconds, not exposed. */
async function expectRevocationUnavailable(action: Promise<unknown>, retryAfter: string) {
  const error = await rejectionOf(action)
  expect({
    code: error.code,
    status: error.status,
    expose: error.expose,
    headers: error.headers,
    body: error.toJSON(),
  }).toEqual({
    code: 'revocation_unavailable',
    status: 503,
    expose: false,
    headers: { 'Retry-After': retryAfter },
    body: { error: 'temporarily_unavailable' },
  })
  return error
}

describe('the isRevoked hook', () => {
  it('lets a token through when the hook answers false, and hands it the verified token', async () => {
    const seen: VerifiedToken[] = []
    const verifier = fx.verifier({
      isRevoked: (token) => {
        seen.push(token)
        return Promise.resolve(false)
      },
    })
    const auth = await verifier.verify(fx.issuer.mint({ jti: 'j-ok' }))
    expect(seen).toEqual([auth])
  })

  it.each([
    ['at once', () => true],
    ['later', () => Promise.resolve(true)],
  ])(
    'refuses a token the hook answers true for (%s) with 401 token_revoked',
    async (_, isRevoked) => {
      const verifier = fx.verifier({ isRevoked })
      await expectInvalidToken(verifier.verify(fx.issuer.mint()), 'token_revoked')
    },
  )

  it.each([
    [
      'threw',
      () => {
        throw new Error('denylist down')
      },
    ],
    ['threw', () => Promise.reject(new Error('denylist down'))],
    ['not_boolean', () => 'no' as unknown as boolean],
    ['not_boolean', () => Promise.resolve(0 as unknown as boolean)],
    ['timeout', () => new Promise<boolean>(() => undefined)],
  ])(
    'fails closed with 503 revocation_unavailable and a token_hook_failed event when the hook %s',
    async (reason, isRevoked) => {
      const verifier = fx.verifier({ isRevoked, hookTimeoutMs: 5, revocationRetryAfterMs: 7000 })
      const token = fx.issuer.mint({ jti: 'j-1' })
      const error = await expectRevocationUnavailable(verifier.verify(token), '7')
      expect(error.cause).toBeInstanceOf(HookFailure)
      expect(fx.events.filter((event) => event.type === 'token_hook_failed')).toEqual([
        {
          type: 'token_hook_failed',
          hook: 'isRevoked',
          reason,
          issuer: fx.issuer.issuer,
          jti: 'j-1',
          clientId: expect.any(String) as unknown,
        },
      ])
      expect(JSON.stringify(fx.events)).not.toContain(token)
    },
  )

  it('answers Retry-After: 5 by default', async () => {
    const verifier = fx.verifier({ isRevoked: () => Promise.reject(new Error('down')) })
    await expectRevocationUnavailable(verifier.verify(fx.issuer.mint()), '5')
  })

  it('asks on every verified-token cache hit, and a token revoked while cached leaves the cache', async () => {
    let revoked = false
    let asked = 0
    const verifier = fx.verifier({
      isRevoked: () => {
        asked++
        return revoked
      },
    })
    const token = fx.issuer.mint()
    // The cache admits a token on its second verification; the third is a hit.
    await verifier.verify(token)
    const cached = await verifier.verify(token)
    expect(await verifier.verify(token)).toBe(cached)
    expect(asked).toBe(3)
    revoked = true
    await expectInvalidToken(verifier.verify(token), 'token_revoked')
    expect(asked).toBe(4)
    revoked = false
    // Out of the cache: a new verification builds a new object.
    expect(await verifier.verify(token)).not.toBe(cached)
  })

  it('never caches a token the hook answered true for', async () => {
    let revoked = true
    const verifier = fx.verifier({ isRevoked: () => revoked })
    const token = fx.issuer.mint()
    await expectInvalidToken(verifier.verify(token), 'token_revoked')
    await expectInvalidToken(verifier.verify(token), 'token_revoked')
    revoked = false
    const accepted = await verifier.verify(token)
    // Two refusals left no entry: the acceptance above is this token's first verified pass.
    expect(await verifier.verify(token)).not.toBe(accepted)
  })

  it('is asked only after validate passed, and never for a token that fails verification', async () => {
    const order: string[] = []
    const verifier = fx.verifier({
      validate: (token) => {
        order.push('validate')
        return token.claims.org === 'acme'
      },
      isRevoked: () => {
        order.push('isRevoked')
        return Promise.resolve(false)
      },
    })
    await verifier.verify(fx.issuer.mint({ org: 'acme' }))
    expect(order).toEqual(['validate', 'isRevoked'])
    await expectInvalidToken(verifier.verify(fx.issuer.mint({ org: 'evil' })), 'invalid_claim')
    await expectInvalidToken(
      verifier.verify(fx.issuer.mint({ exp: Math.floor(Date.now() / 1000) - 3600 })),
      'token_expired',
    )
    expect(order).toEqual(['validate', 'isRevoked', 'validate'])
  })
})
