import { httpGet as get } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { fixture, type StartApp } from './fixture.js'

/** Auth built from options (not a verifier): validated at build time, one verifier reused. */
export function describeVerifierFromOptions(start: StartApp): void {
  describe('when the adapter builds its own verifier from options', () => {
    const f = fixture(start)

    it('rejects invalid verifier options when the app is built, not per request', async () => {
      const { issuer } = f()
      // Plain http off loopback.
      const jwksUri = 'http://example.com/jwks.json'
      await expect(
        start({ issuer: issuer.issuer, audience: issuer.audience, jwksUri }),
      ).rejects.toThrow(TypeError)
    })

    it('builds one verifier and reuses it for every request: one key fetch', async () => {
      const { url, bearer, server } = f()
      for (const sub of ['a', 'b', 'c']) {
        const reply = await get(url('/protected'), bearer({ sub, client_id: 'c', scope: 'x' }))
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ sub, clientId: 'c', scopes: ['x'] })
      }
      expect(server.jwksRequests).toBe(1)
    })
  })
}
