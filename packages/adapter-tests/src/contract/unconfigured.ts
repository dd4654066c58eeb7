import { httpGet as get } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'

/** An app without `realm` or `resourceMetadataUrl`: bare challenges, and one shared verifier. */
export function describeUnconfigured(start: StartApp): void {
  describe('without realm or resource metadata', () => {
    const f = fixture(start)

    it('challenges a request without credentials with exactly "Bearer"', async () => {
      expectRejected(await get(f().url('/protected')), { status: 401, error: null })
    })

    it('puts neither realm nor resource_metadata in error challenges', async () => {
      const { url, bearer } = f()
      const reply = await get(url('/write'), bearer({ scope: 'read:things' }))
      expectRejected(reply, { status: 403, error: 'insufficient_scope', scope: 'write:things' })
    })

    it('shares one verifier across routes: one key fetch serves them all', async () => {
      const { url, bearer, server } = f()
      const headers = bearer({ scope: 'admin write:things' })
      for (const path of ['/protected', '/write', '/any', '/optional']) {
        expect((await get(url(path), headers)).status).toBe(200)
        expect((await get(url(path), bearer({ scope: 'admin write:things' }))).status).toBe(200)
      }
      expect(server.jwksRequests).toBe(1)
    })
  })
}
