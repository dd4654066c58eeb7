import { httpGet as get } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'

/** The issuer signs with a new key: one refetch picks it up, an unknown kid waits for cooldown. */
export function describeKeyRotation(start: StartApp): void {
  describe('when the issuer rotates its signing key', () => {
    const f = fixture(start)

    it('accepts the new key after exactly one refetch', async () => {
      const { url, bearer, issuer, server } = f()
      expect((await get(url('/protected'), bearer())).status).toBe(200)
      expect(server.jwksRequests).toBe(1)
      await issuer.rotate()
      expect((await get(url('/protected'), bearer())).status).toBe(200)
      expect(server.jwksRequests).toBe(2)
      expect((await get(url('/protected'), bearer())).status).toBe(200)
      expect(server.jwksRequests).toBe(2)
    })

    it('rejects another unknown key inside the cooldown without fetching', async () => {
      const { url, issuer, server } = f()
      const before = server.jwksRequests
      const hidden = await issuer.addKey({ publish: false })
      const token = issuer.mint({}, { key: hidden })
      const reply = await get(url('/protected'), { authorization: `Bearer ${token}` })
      expectRejected(reply, { status: 401, error: 'invalid_token' })
      expect(server.jwksRequests).toBe(before)
    })
  })
}
