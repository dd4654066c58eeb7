import { httpGet as get } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectRejected, expectUnavailable } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'

/**
 * The issuer's JWKS answers 503 from the start: 503 with `Retry-After`, no fetch storm, and one
 * line in the `logger` the adapter was given (the option reaches core).
 */
export function describeJwksOutage(start: StartApp): void {
  describe('when the JWKS is down and no keys were ever fetched', () => {
    const logged: string[] = []
    const logger = {
      warn: (line: string) => {
        logged.push(line)
      },
    }
    const f = fixture((options) => start({ ...options, logger }), { jwksDown: true })

    it('answers 503 with Retry-After and no challenge', async () => {
      const { url, bearer } = f()
      expectUnavailable(await get(url('/protected'), bearer()))
      expectUnavailable(await get(url('/optional'), bearer()))
    })

    it('does not fetch again for every request during the outage', async () => {
      const { url, bearer, server } = f()
      const before = server.jwksRequests
      expect(before).toBeGreaterThanOrEqual(1)
      for (let i = 0; i < 5; i++) expectUnavailable(await get(url('/protected'), bearer()))
      // Negative caching answers these without I/O; at most one scheduled background retry
      // may land in between, never one fetch per request.
      expect(server.jwksRequests).toBeLessThanOrEqual(before + 1)
    })

    it("writes one line for the outage to the verifier's logger, naming the code and the URL", async () => {
      const { url, bearer, server } = f()
      expectUnavailable(await get(url('/protected'), bearer()))
      expect(logged).toHaveLength(1)
      expect(logged[0]).toContain('jwks_unavailable')
      expect(logged[0]).toContain(server.url)
    })

    it('still answers requests without credentials and public routes without keys', async () => {
      const { url } = f()
      expectRejected(await get(url('/protected')), { status: 401, error: null })
      expect((await get(url('/public'))).status).toBe(200)
    })
  })
}
