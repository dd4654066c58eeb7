import type { VerifierOptions } from '@keyward/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'

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
