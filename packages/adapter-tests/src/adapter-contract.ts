import { describe } from 'vitest'
import type { ContractAppFactory } from './contract-app.js'
import { authenticationCases } from './contract/authentication.js'
import { claimCases, describeValidateHook } from './contract/claims.js'
import { challengeScopeCases, describeDefaultChallengeScopes } from './contract/challenge-scopes.js'
import { describeDpop } from './contract/dpop.js'
import { fixture, type StartApp } from './contract/fixture.js'
import { hostileHeaderCases } from './contract/hostile-headers.js'
import { describeJwksOutage } from './contract/jwks-outage.js'
import { describeKeyRotation } from './contract/key-rotation.js'
import { describeOriginCheck } from './contract/origin-check.js'
import { describeToolScopes } from './contract/tool-scopes.js'
import { optionalAuthCases } from './contract/optional-auth.js'
import { describeProtectedResource, RESOURCE } from './contract/protected-resource.js'
import { describeRevocation } from './contract/revocation.js'
import { describeRouteOrder, EARLY_ROUTES } from './contract/route-order.js'
import { describeTokenSources } from './contract/token-sources.js'
import { scopeCases } from './contract/scopes.js'
import { describeTenantIssuers } from './contract/tenant-issuers.js'
import { describeUnconfigured } from './contract/unconfigured.js'
import { describeVerifierFromOptions } from './contract/verifier-from-options.js'
import { describeWorkloadGuards } from './contract/workload.js'

/**
 * Defines a vitest `describe` block that holds an adapter to keyward's HTTP contract, over real
 * requests: status, `WWW-Authenticate`, `Retry-After`, and that rejected requests never reach the
 * handler. A JSON error body is optional; when an adapter renders one, its `error` must be the
 * RFC 6750 code (`KeywardError.toJSON()`), and absent for a request without credentials. Each
 * `describe` starts its own app(s) on its own issuer and JWKS server. Call it once per framework
 * major. The topics live in `./contract/`, one file each.
 *
 * @example
 * ```ts
 * runAdapterContract({ name: 'koa@3', start: (options) => startKoaApp(Koa, options) })
 * ```
 */
export function runAdapterContract(factory: ContractAppFactory): void {
  describe(`adapter contract: ${factory.name}`, () => {
    // keyward's operator lines are silenced here; the JWKS outage topic captures and checks
    // them through the same `logger` option.
    const start: StartApp = (options) => factory.start({ logger: false, ...options })

    describe('with realm and resource metadata configured', () => {
      const f = fixture(start, { configured: true })
      authenticationCases(f, true)
      scopeCases(f, true, factory.routeScopesOn401 === true)
      challengeScopeCases(f, true)
      claimCases(f, true)
      optionalAuthCases(f, true)
      hostileHeaderCases(f, true)
    })
    describeUnconfigured(start)
    describeDefaultChallengeScopes(start)
    describeJwksOutage(start)
    describeKeyRotation(start)
    describeTenantIssuers(start)
    describeValidateHook(start, factory.routeScopesOn401 === true)
    describeDpop(start)
    describeWorkloadGuards(start)
    describeRevocation(start)
    describeTokenSources(start, factory.isNativeRequest?.bind(factory))

    // Optional capabilities: adapters that have them are held to these parts too.
    const withMetadata = factory.startWithResourceMetadata?.bind(factory)
    if (withMetadata) {
      describeProtectedResource((options) => withMetadata({ logger: false, ...options }, RESOURCE))
    }
    const fromOptions = factory.startFromOptions?.bind(factory)
    if (fromOptions) {
      describeVerifierFromOptions((options) => fromOptions({ logger: false, ...options }))
    }
    const startMcp = factory.startMcp?.bind(factory)
    if (startMcp) {
      const mcp: StartApp = (options) => startMcp({ logger: false, ...options })
      describeOriginCheck(mcp)
      describeToolScopes(mcp)
    }
    const startMisordered = factory.startMisordered?.bind(factory)
    if (startMisordered) {
      const routes =
        factory.earlyRoutes ??
        Object.fromEntries(Object.entries(EARLY_ROUTES).map(([path, { check }]) => [path, check]))
      describeRouteOrder(
        start,
        (options, onError) => startMisordered({ logger: false, ...options }, onError),
        routes,
      )
    }
  })
}
