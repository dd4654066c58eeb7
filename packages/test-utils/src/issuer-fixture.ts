import { startJwksServer, type JwksServer } from './jwks-server.js'
import { TestIssuer } from './test-issuer.js'

/**
 * The verifier options that trust a {@link TestIssuer}: the fields of `@keyward/core`'s
 * `VerifierOptions` it fills, typed here because test-utils does not depend on core.
 */
export interface IssuerOptions {
  readonly issuer: string
  readonly audience: string
  readonly jwksUri: string
  /** keyward's operator lines off: a test that checks them passes its own `logger`. */
  readonly logger: false
}

/** A test issuer, its JWKS server and verifier options that trust it. */
export interface IssuerFixture {
  readonly issuer: TestIssuer
  readonly server: JwksServer
  readonly options: IssuerOptions
  close(): Promise<void>
}

/**
 * Starts an ES256 {@link TestIssuer} and a loopback JWKS server for it, for adapter and
 * packaging tests.
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
    options: {
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: server.url,
      logger: false,
    },
    close: () => server.close(),
  }
}
