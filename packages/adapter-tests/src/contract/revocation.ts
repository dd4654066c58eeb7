import { ERROR_DESCRIPTIONS, expectedChallenge, httpGet as get } from '@keyward/test-utils'
import type { HttpReply } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectHandlerNotRun, expectRejected } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'

const SECRET = 'revocation-db-9c1e'
/** `revocationRetryAfterMs` of the app below, and the `Retry-After` it must answer with. */
const RETRY_AFTER_MS = 7000
const RETRY_AFTER = '7'

/**
 * 503 `revocation_unavailable`: `Retry-After` from `revocationRetryAfterMs`, no challenge, and
 * nothing of the hook's failure; an adapter that renders the keyward `code` (Nest) renders this one.
 */
function expectRevocationUnavailable(reply: HttpReply): void {
  expect(reply.status).toBe(503)
  expectHandlerNotRun(reply)
  expect(reply.headers['retry-after']).toBe(RETRY_AFTER)
  expect(reply.headers['www-authenticate']).toBeUndefined()
  expect(reply.body).not.toContain(SECRET)
  if (reply.headers['content-type']?.includes('application/json') === true) {
    const body = JSON.parse(reply.body) as { error?: unknown; code?: unknown }
    expect(body.error).toBe('temporarily_unavailable')
    if (body.code !== undefined) expect(body.code).toBe('revocation_unavailable')
  }
}

/**
 * The verifier's `isRevoked` hook reaches core through the adapter's options: `true` is 401
 * `token_revoked` (`error="invalid_token"`), a hook that throws, hangs or answers a non-boolean
 * is 503 `revocation_unavailable` with `Retry-After`, never a 500 and never an accept, on
 * required and optional routes alike, and on a verified-token cache hit too.
 */
export function describeRevocation(start: StartApp): void {
  describe('with an isRevoked hook on the verifier', () => {
    let revokedLater = false
    const f = fixture((options) =>
      start({
        ...options,
        hookTimeoutMs: 50,
        revocationRetryAfterMs: RETRY_AFTER_MS,
        isRevoked: (token) => {
          switch (token.claims.rev) {
            case 'yes':
              return true
            case 'later':
              return Promise.resolve(revokedLater)
            case 'throw':
              throw new Error(`denylist ${SECRET} unreachable`)
            case 'reject':
              return Promise.reject(new Error(`denylist ${SECRET} unreachable`))
            case 'hang':
              return new Promise<boolean>(() => undefined)
            case 'odd':
              return 'no' as unknown as boolean
            default:
              return false
          }
        },
      }),
    )

    it('accepts a token the hook answers false for', async () => {
      const { url, bearer } = f()
      const reply = await get(url('/protected'), bearer({ rev: 'no', sub: 'u-1' }))
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toMatchObject({ sub: 'u-1' })
    })

    it('refuses a revoked token with 401 token_revoked on required and optional routes', async () => {
      const { url, bearer } = f()
      for (const path of ['/protected', '/optional']) {
        const reply = await get(url(path), bearer({ rev: 'yes' }))
        expectRejected(reply, { status: 401, error: 'invalid_token' })
        expect(reply.headers['www-authenticate']).toBe(expectedChallenge('token_revoked'))
        expect(reply.body).not.toContain(ERROR_DESCRIPTIONS.invalid_claim)
      }
    })

    it.each(['throw', 'reject', 'hang', 'odd'])(
      'answers 503 revocation_unavailable with Retry-After when the hook answers %s',
      async (rev) => {
        const { url, bearer } = f()
        for (const path of ['/protected', '/optional']) {
          expectRevocationUnavailable(await get(url(path), bearer({ rev })))
        }
      },
    )

    it('asks again for a token it accepted before: a cached token revoked later is refused', async () => {
      const { url, bearer } = f()
      revokedLater = false
      const headers = bearer({ rev: 'later' })
      // Three passes: the verified-token cache admits the token, then serves it.
      for (let i = 0; i < 3; i++) expect((await get(url('/protected'), headers)).status).toBe(200)
      revokedLater = true
      const reply = await get(url('/protected'), headers)
      expectRejected(reply, { status: 401, error: 'invalid_token' })
      expect(reply.headers['www-authenticate']).toBe(expectedChallenge('token_revoked'))
    })
  })
}
