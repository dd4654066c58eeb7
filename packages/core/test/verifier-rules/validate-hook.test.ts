// Verifier rules: the `validate` hook, every verification, cache hits included.
import { describe, expect, it } from 'vitest'
import { HookFailure } from '../../src/hook-answer.js'
import type { VerifiedToken } from '../../src/verified-token.js'
import { expectInvalidToken, useFixture } from '../helpers.js'

const fx = useFixture()

describe('the validate hook', () => {
  it('accepts a token the hook answers true for, and hands it the verified token', async () => {
    const seen: VerifiedToken[] = []
    const verifier = fx.verifier({
      validate: (token) => {
        seen.push(token)
        return token.claims.org_id === 'acme'
      },
    })
    const auth = await verifier.verify(fx.issuer.mint({ org_id: 'acme' }))
    expect(seen).toEqual([auth])
  })

  it('rejects a token the hook answers false for with invalid_claim', async () => {
    const verifier = fx.verifier({ validate: (token) => token.claims.org_id === 'acme' })
    await expectInvalidToken(verifier.verify(fx.issuer.mint({ org_id: 'evil' })), 'invalid_claim')
  })

  it('awaits a promised answer', async () => {
    const verifier = fx.verifier({ validate: () => Promise.resolve(false) })
    await expectInvalidToken(verifier.verify(fx.issuer.mint()), 'invalid_claim')
    const accepting = fx.verifier({ validate: () => Promise.resolve(true) })
    await expect(accepting.verify(fx.issuer.mint())).resolves.toBeDefined()
  })

  it.each([
    [
      'threw',
      () => {
        throw new Error('db down')
      },
    ],
    ['threw', () => Promise.reject(new Error('db down'))],
    ['not_boolean', () => 'yes' as unknown as boolean],
    ['not_boolean', () => Promise.resolve(1 as unknown as boolean)],
    ['timeout', () => new Promise<boolean>(() => undefined)],
  ])(
    'refuses with invalid_claim and a token_hook_failed event when the hook %s',
    async (reason, validate) => {
      const verifier = fx.verifier({ validate, hookTimeoutMs: 5 })
      const token = fx.issuer.mint({ jti: 'j-1' })
      const error = await expectInvalidToken(verifier.verify(token), 'invalid_claim')
      expect(error.cause).toBeInstanceOf(HookFailure)
      expect(fx.events.filter((event) => event.type === 'token_hook_failed')).toEqual([
        {
          type: 'token_hook_failed',
          hook: 'validate',
          reason,
          issuer: fx.issuer.issuer,
          jti: 'j-1',
          clientId: expect.any(String) as unknown,
        },
      ])
      expect(JSON.stringify(fx.events)).not.toContain(token)
    },
  )

  it('asks again on a verified-token cache hit, and a cached token that fails leaves the cache', async () => {
    let allowed = true
    let asked = 0
    const verifier = fx.verifier({
      validate: () => {
        asked++
        return allowed
      },
    })
    const token = fx.issuer.mint()
    // The cache admits a token on its second verification; the third is a hit.
    await verifier.verify(token)
    const cached = await verifier.verify(token)
    expect(await verifier.verify(token)).toBe(cached)
    expect(asked).toBe(3)
    allowed = false
    await expectInvalidToken(verifier.verify(token), 'invalid_claim')
    allowed = true
    // Out of the cache: a new verification builds a new object.
    expect(await verifier.verify(token)).not.toBe(cached)
  })

  it('never caches a token the hook refused', async () => {
    let allowed = false
    const verifier = fx.verifier({ validate: () => allowed })
    const token = fx.issuer.mint()
    await expectInvalidToken(verifier.verify(token), 'invalid_claim')
    await expectInvalidToken(verifier.verify(token), 'invalid_claim')
    allowed = true
    const accepted = await verifier.verify(token)
    // Two refusals left no entry: the acceptance above is this token's first verified pass.
    expect(await verifier.verify(token)).not.toBe(accepted)
  })
})
