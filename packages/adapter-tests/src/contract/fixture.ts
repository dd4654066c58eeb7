import type { DpopOptions, VerifierOptions } from '@keyward/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll } from 'vitest'
import type { ContractApp } from '../contract-app.js'
import { METADATA_URL, REALM } from './expectations.js'

/** One issuer, its JWKS server and an app verifying its tokens. */
export interface Fixture {
  readonly issuer: TestIssuer
  readonly server: JwksServer
  readonly app: ContractApp
  readonly url: (path: string) => string
  readonly bearer: (claims?: Record<string, unknown>) => Record<string, string>
}

/** Starts one app for a `describe` block; the app is only reachable inside its tests. */
export type StartApp = (options: VerifierOptions) => Promise<ContractApp>

/** Registers `beforeAll`/`afterAll` that start and stop a {@link Fixture} for this block. */
export function fixture(
  start: StartApp,
  settings: {
    readonly configured?: boolean
    readonly jwksDown?: boolean
    /** The verifier's `challengeScopes`. */
    readonly challengeScopes?: readonly string[]
    /** The verifier's `dpop`. */
    readonly dpop?: DpopOptions
    /** The issuer's `aud` and the verifier's `audience` (an MCP resource's, say). */
    readonly audience?: string
  } = {},
): () => Fixture {
  let current: Fixture | undefined
  beforeAll(async () => {
    const issuer = await TestIssuer.create({
      alg: 'ES256',
      ...(settings.audience === undefined ? {} : { audience: settings.audience }),
    })
    const server = await startJwksServer({ issuer })
    if (settings.jwksDown === true) server.setFault({ kind: 'status', status: 503 })
    try {
      const app = await start({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        ...(settings.configured === true
          ? { realm: REALM, resourceMetadataUrl: METADATA_URL }
          : {}),
        ...(settings.challengeScopes === undefined
          ? {}
          : { challengeScopes: settings.challengeScopes }),
        ...(settings.dpop === undefined ? {} : { dpop: settings.dpop }),
      })
      current = {
        issuer,
        server,
        app,
        url: (path) => app.url + path,
        bearer: (claims) => ({ authorization: `Bearer ${issuer.mint(claims)}` }),
      }
    } catch (error) {
      await server.close()
      throw error
    }
  })
  afterAll(async () => {
    await current?.app.close()
    await current?.server.close()
  })
  return () => {
    if (current === undefined) throw new Error('contract fixture is not started')
    return current
  }
}
