// Verifier rules: an unknown kid costs one refresh, and a newly published key is found by it.
import { describe, expect, it } from 'vitest'
import { expectInvalidToken, useFixture } from '../helpers.js'

const fx = useFixture()

describe('key lookup', () => {
  it('rejects an unknown kid after exactly one refresh, and refreshes no more inside the cooldown', async () => {
    const verifier = fx.verifier()
    const hidden = await fx.issuer.addKey({ publish: false })
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { key: hidden })), 'unknown_key')
    // One fetch to get keys at all, one refresh for the unknown kid.
    expect(fx.server.jwksRequests).toBe(2)
    const another = await fx.issuer.addKey({ publish: false })
    await expectInvalidToken(verifier.verify(fx.issuer.mint({}, { key: another })), 'unknown_key')
    expect(fx.server.jwksRequests).toBe(2)
  })

  it('verifies a token of a newly published key after one refresh', async () => {
    const verifier = fx.verifier()
    await verifier.warmup()
    const next = await fx.issuer.addKey()
    const auth = await verifier.verify(fx.issuer.mint({}, { key: next }))
    expect(auth.kid).toBe(next.kid)
    expect(fx.server.jwksRequests).toBe(2)
  })
})
