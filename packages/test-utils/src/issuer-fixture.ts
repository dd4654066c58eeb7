// Type only, and by path, as in adapter-contract.ts: a package dependency on core would be a
// workspace cycle.
import type { VerifierOptions } from '../../core/src/index.js'
import { startJwksServer, type JwksServer } from './jwks-server.js'
import { TestIssuer } from './test-issuer.js'

/** A test issuer, its JWKS server and verifier options that trust it. */
export interface IssuerFixture {
  readonly issuer: TestIssuer
  readonly server: JwksServer
  readonly options: VerifierOptions
  close(): Promise<void>
}

/**
 * Starts an ES256 {@link TestIssuer} and a loopback JWKS server for it, for adapter tests.
 *
 * @example
 * ```ts
 * const fixture = await startIssuer()
 * app.use(bearerAuth(fixture.options))
 * ```
 */
export async function startIssuer(): Promise<IssuerFixture> {
  const issuer = await TestIssuer.create({ alg: 'ES256' })
  const server = await startJwksServer({ issuer })
  return {
    issuer,
    server,
    options: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: server.url },
    close: () => server.close(),
  }
}
