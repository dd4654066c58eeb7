import {
  createVerifier,
  type KeywardEvent,
  type Verifier,
  type VerifierOptions,
} from '@keyward/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'

/** A clock the verifier, the issuer's tokens and the metrics' age gauges share. */
export class FakeClock {
  now = Date.UTC(2030, 0, 1)
  readonly read = (): number => this.now
  advance(ms: number): void {
    this.now += ms
  }
}

/** A test issuer and its real loopback JWKS server. */
export interface IssuerSetup {
  readonly clock: FakeClock
  readonly issuer: TestIssuer
  readonly server: JwksServer
  /** A verifier trusting the issuer, with `onEvent` and `now` wired; closed by `close()`. */
  verifier(onEvent: (event: KeywardEvent) => void, options?: Partial<VerifierOptions>): Verifier
  close(): Promise<void>
}

export async function startIssuerSetup(): Promise<IssuerSetup> {
  const clock = new FakeClock()
  const issuer = await TestIssuer.create({ alg: 'ES256', now: clock.read })
  const server = await startJwksServer({ issuer })
  const verifiers: Verifier[] = []
  return {
    clock,
    issuer,
    server,
    verifier(onEvent, options = {}) {
      const created = createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        now: clock.read,
        onEvent,
        ...options,
      } as VerifierOptions)
      verifiers.push(created)
      return created
    },
    async close() {
      for (const verifier of verifiers) verifier.close()
      await server.close()
    },
  }
}

/** `'ok'` or the rejection's code. */
export async function outcome(verifier: Verifier, token: string): Promise<string> {
  try {
    await verifier.verify(token)
    return 'ok'
  } catch (error) {
    return (error as { code: string }).code
  }
}
