import { isRouteOrderError } from '@keyward/core'
import { httpGet as get, type HttpReply } from '@keyward/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { expectHandlerNotRun, expectRejected, nowSeconds } from './expectations.js'
import { fixture, type Fixture, type StartApp } from './fixture.js'
import { postJson, toolCall } from './mcp-client.js'

/**
 * The routes of a `startMisordered` app: each runs one route check BEFORE bearer auth (a
 * set-up mistake), with the name the adapter exports it under and the scopes its 401 names.
 */
export const EARLY_ROUTES = {
  '/early/scopes': { check: 'requireScopes', scope: 'write:things' },
  '/early/any-scope': { check: 'requireAnyScope', scope: 'admin write:things' },
  '/early/claim-equals': { check: 'claimEquals' },
  '/early/claim-includes': { check: 'claimIncludes' },
  '/early/claim-check': { check: 'claimCheck' },
  '/early/workload-spiffe': { check: 'requireSpiffeId' },
  '/early/workload-service-account': { check: 'requireServiceAccount' },
  // A JSON-RPC tools/call of `write_thing` (MCP_TOOL_SCOPES), POSTed.
  '/early/mcp': { check: 'toolScopes', scope: 'write:things' },
} as const satisfies Record<string, { readonly check: string; readonly scope?: string }>

/** A path of {@link EARLY_ROUTES}. */
export type EarlyRoute = keyof typeof EARLY_ROUTES

/** Starts the misordered app, handing every error its error channel sees to `onError`. */
export type StartMisordered = (
  options: Parameters<StartApp>[0],
  onError: (error: unknown) => void,
) => ReturnType<StartApp>

/** GETs an early route, or POSTs the MCP one its tools/call. */
function send(url: string, route: EarlyRoute, headers: Record<string, string>): Promise<HttpReply> {
  return route === '/early/mcp'
    ? postJson(url, toolCall('write_thing'), headers)
    : get(url, headers)
}

/**
 * Route order (issue 21, point 5): a route check that runs before authentication sees no token
 * and, on its own, would answer 401 `missing_token`, telling a client that sent a valid token to
 * send one. On a request with credentials that never met authentication, it is a programming
 * error instead: a `RouteOrderError` naming the check and what must run first, down the
 * framework's own error channel, answered as the framework answers any error (500, its own
 * body; the message is the developer's, not the client's). A request without credentials still
 * gets the 401 bare challenge, and a request authentication did see and let through without a
 * token (optional authentication) still gets the check's 401.
 *
 * `routes` maps each early route the adapter serves to the name of its check. Nest serves only
 * `POST /early/mcp` (`ToolScopesGuard` listed before `BearerAuthGuard`): its scope, claim and
 * workload rules are decorators `BearerAuthGuard` itself enforces after authenticating, so they
 * cannot run before it (and a rule no `BearerAuthGuard` covers fails the start).
 */
export function describeRouteOrder(
  start: StartApp,
  startMisordered: StartMisordered,
  routes: Readonly<Partial<Record<EarlyRoute, string>>>,
): void {
  describe('route order (a route check before authentication)', () => {
    const errors: unknown[] = []
    const early = fixture((options) => startMisordered(options, (error) => errors.push(error)))
    const ordered = fixture(start)
    beforeEach(() => {
      errors.length = 0
    })
    const served = Object.entries(routes) as [EarlyRoute, string][]

    /** A token every check of the early routes would accept, were bearer auth to run first. */
    const goodToken = (f: Fixture) =>
      f.bearer({
        scope: 'write:things admin',
        org_id: 'acme',
        roles: ['editor', 'reviewer'],
        tier: 'gold',
      })

    it('fails a request with a valid token with a RouteOrderError naming the check: 500, no challenge, the error in the app error channel', async () => {
      expect(served.length).toBeGreaterThan(0)
      const f = early()
      const token = goodToken(f)
      for (const [route, check] of served) {
        errors.length = 0
        const reply = await send(f.url(route), route, token)
        expect(reply.status, route).toBe(500)
        expectHandlerNotRun(reply)
        expect(reply.headers['www-authenticate'], route).toBeUndefined()
        expect(reply.body).not.toContain(token.authorization?.slice('Bearer '.length))
        // Not keyward's RFC 6750 body: this is no answer to the client's credentials.
        expect(reply.body).not.toMatch(/missing_token|invalid_token/)
        const reported = errors.filter(isRouteOrderError)
        expect(reported, route).toHaveLength(1)
        expect(reported[0]?.check, route).toBe(check)
        expect(reported[0]?.authentication.length, route).toBeGreaterThan(0)
      }
    })

    it('fails an expired token, a malformed header and a DPoP proof alone the same way: order, not the token, is wrong', async () => {
      const f = early()
      const expired = f.issuer.mint({ iat: nowSeconds() - 3600, exp: nowSeconds() - 600 })
      const [[route, check]] = served as [[EarlyRoute, string]]
      const variants: Record<string, string>[] = [
        { authorization: `Bearer ${expired}` },
        { authorization: 'Bearer a b' },
        { dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.c2ln' },
      ]
      for (const headers of variants) {
        errors.length = 0
        const reply = await send(f.url(route), route, headers)
        expect(reply.status, JSON.stringify(headers)).toBe(500)
        expect(errors.filter(isRouteOrderError).map((error) => error.check)).toEqual([check])
      }
    })

    it('still answers a request without keyward credentials 401 missing_token, the bare challenge', async () => {
      const f = early()
      for (const [route] of served) {
        const variants: Record<string, string>[] = [{}, { authorization: 'Basic dXNlcjpwYXNz' }]
        for (const headers of variants) {
          errors.length = 0
          const reply = await send(f.url(route), route, headers)
          const { scope } = EARLY_ROUTES[route] as { readonly scope?: string }
          expectRejected(reply, {
            status: 401,
            error: null,
            ...(scope === undefined ? {} : { scope }),
          })
          expect(errors.filter(isRouteOrderError), route).toEqual([])
        }
      }
    })

    it('tells authentication that ran and found no token from none: optional auth then a scope check stays 401', async () => {
      const f = ordered()
      // Credentials this verifier does not read (no `dpop` option): optional auth lets them
      // through without a token, and the scope check's 401 is the right answer.
      const variants: Record<string, string>[] = [
        { dpop: 'eyJ.e30.c2ln' },
        { authorization: 'DPoP eyJ.e30.c2ln' },
      ]
      for (const headers of variants) {
        const reply = await get(f.url('/optional-write'), headers)
        expectRejected(reply, { status: 401, error: null, scope: 'write:things' })
      }
    })
  })
}
