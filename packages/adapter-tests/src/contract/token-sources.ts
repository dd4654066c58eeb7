import { expectedChallenge, httpGet as get } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectRejected } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'

/** The cookie the app below reads tokens from. */
const COOKIE = 'kw_at'
/** The header the app's `getToken` reads (a custom source, as an API gateway might set). */
const CUSTOM = 'x-contract-token'

/**
 * Token sources beyond the `Authorization` header reach core through the adapter: `cookie` and
 * `getToken` (handed the framework's own request object, checked with `isNativeRequest` when
 * the factory gives one). The header wins; two sources carrying different tokens are 400
 * `invalid_request`, the same token twice is fine; a `getToken` that throws or answers a
 * non-string is 400 too, never a 500; the query stays off.
 */
export function describeTokenSources(
  start: StartApp,
  isNativeRequest?: (request: unknown) => boolean,
): void {
  describe('with cookie and getToken token sources', () => {
    const f = fixture((options) =>
      start({
        ...options,
        cookie: { name: COOKIE },
        getToken: (request: { readonly headers: Record<string, unknown> }) => {
          if (isNativeRequest !== undefined && !isNativeRequest(request)) {
            throw new Error('getToken was not handed the framework request')
          }
          const value = request.headers[CUSTOM]
          if (value === 'throw') throw new Error('custom source failed')
          if (value === 'odd') return 42 as unknown as string
          return typeof value === 'string' ? value : undefined
        },
      }),
    )
    const token = (claims?: Record<string, unknown>) => f().issuer.mint(claims)
    const cookie = (value: string) => ({ cookie: `theme=dark; ${COOKIE}=${value}; lang=en` })
    const invalidRequest = expectedChallenge('invalid_request')

    it('authenticates a token from the cookie alone, and from getToken alone', async () => {
      const { url } = f()
      for (const headers of [cookie(token({ sub: 'c-1' })), { [CUSTOM]: token({ sub: 'c-1' }) }]) {
        const reply = await get(url('/protected'), headers)
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toMatchObject({ sub: 'c-1' })
      }
    })

    it('accepts the same token in the header and another source', async () => {
      const { url } = f()
      const same = token({ sub: 'same' })
      const reply = await get(url('/protected'), {
        authorization: `Bearer ${same}`,
        ...cookie(same),
        [CUSTOM]: same,
      })
      expect(reply.status).toBe(200)
    })

    it.each([
      [
        'the header and the cookie',
        (a: string, b: string) => ({ authorization: `Bearer ${a}`, ...cookie(b) }),
      ],
      [
        'the header and getToken',
        (a: string, b: string) => ({ authorization: `Bearer ${a}`, [CUSTOM]: b }),
      ],
      ['the cookie and getToken', (a: string, b: string) => ({ ...cookie(a), [CUSTOM]: b })],
      [
        'two cookies of that name',
        (a: string, b: string) => ({ cookie: `${COOKIE}=${a}; ${COOKIE}=${b}` }),
      ],
    ])('refuses different tokens in %s with 400 invalid_request', async (_, headers) => {
      const { url } = f()
      for (const path of ['/protected', '/optional']) {
        const reply = await get(url(path), headers(token({ sub: 'a' }), token({ sub: 'b' })))
        expectRejected(reply, { status: 400, error: 'invalid_request' })
        expect(reply.headers['www-authenticate']).toBe(invalidRequest)
      }
    })

    it.each(['throw', 'odd'])(
      'answers 400 invalid_request when getToken answers %s',
      async (value) => {
        const { url } = f()
        const reply = await get(url('/protected'), { [CUSTOM]: value })
        expectRejected(reply, { status: 400, error: 'invalid_request' })
        expect(reply.headers['www-authenticate']).toBe(invalidRequest)
      },
    )

    it('verifies a cookie token like any other: an expired one is 401 invalid_token', async () => {
      const { url } = f()
      const expired = token({ exp: Math.floor(Date.now() / 1000) - 3600 })
      const reply = await get(url('/protected'), cookie(expired))
      expectRejected(reply, { status: 401, error: 'invalid_token' })
      expect(reply.headers['www-authenticate']).toBe(expectedChallenge('token_expired'))
    })

    it('treats an empty cookie as no token, and still ignores the query', async () => {
      const { url } = f()
      const empty = await get(url('/protected'), cookie(''))
      expectRejected(empty, { status: 401, error: null })
      const query = await get(url(`/protected?access_token=${token()}`))
      expectRejected(query, { status: 401, error: null })
      const optional = await get(url('/optional'), { cookie: `${COOKIE}=` })
      expect(JSON.parse(optional.body)).toEqual({ authenticated: false })
    })
  })
}
