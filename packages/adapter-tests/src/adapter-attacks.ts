import type { VerifierOptions } from '@keyward/core'
import {
  expectedChallenge,
  httpGet as get,
  rawHttpGet as getRaw,
  startJwksServer,
  TestIssuer,
  type DescribedCode,
  type HttpReply as Reply,
  type JwksServer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * A running app under attack: one protected route whose handler counts its runs.
 *
 * @example
 * ```ts
 * let runs = 0
 * app.get('/protected', bearerAuth(verifier), (_req, res) => { runs++; res.json({ handled: true }) })
 * const attackApp: AttackApp = { url, handlerRuns: () => runs, close }
 * ```
 */
export interface AttackApp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  /** How often the `GET /protected` handler has run. */
  handlerRuns(): number
  /** Stops the server and closes the verifier. */
  close(): Promise<void>
}

/**
 * Starts one framework's app for {@link runAdapterAttacks}: `GET /protected` behind bearer
 * authentication with a verifier built from the options, answering 200 `{"handled":true}`.
 *
 * @example
 * ```ts
 * runAdapterAttacks({ name: 'koa@3', start: (options) => startKoaAttackApp(options) })
 * ```
 */
export interface AttackAppFactory {
  readonly name: string
  start(verifierOptions: VerifierOptions): Promise<AttackApp>
}

/**
 * Defines a vitest `describe` block that attacks one adapter over real HTTP where the answer
 * depends on the framework: a token only in the query (which the framework parses), NUL and bare
 * CR bytes its HTTP parser must refuse, and oversized credentials and headers. Each asserts the
 * status, the exact `WWW-Authenticate`, that no 500 occurs and that the protected handler never
 * ran (counted, not inferred from the body). Token forgeries are the verifier rules' and core
 * attack suite's; malformed `Authorization` headers are the adapter contract's.
 *
 * @example
 * ```ts
 * runAdapterAttacks({ name: 'express@5', start: startExpressAttackApp })
 * ```
 */
export function runAdapterAttacks(factory: AttackAppFactory): void {
  describe(`adapter attacks: ${factory.name}`, () => {
    let issuer: TestIssuer
    let server: JwksServer
    let app: AttackApp
    beforeAll(async () => {
      issuer = await TestIssuer.create({ alg: 'RS256' })
      server = await startJwksServer({ issuer })
      app = await factory.start({
        logger: false,
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
      })
    })
    afterAll(async () => {
      await app.close()
      await server.close()
    })

    const url = (): string => `${app.url}/protected`

    /** Sends, then asserts the exact answer for `code` and that the handler did not run. */
    async function expectRejected(
      send: () => Promise<Reply>,
      status: number,
      code: DescribedCode | 'missing_token',
    ): Promise<void> {
      const runs = app.handlerRuns()
      const reply = await send()
      expect({
        status: reply.status,
        challenge: reply.headers['www-authenticate'],
        handlerRuns: app.handlerRuns(),
      }).toEqual({ status, challenge: expectedChallenge(code), handlerRuns: runs })
      expect(reply.body).not.toContain('handled')
    }

    /** The framework's HTTP parser refused the request: no 2xx, no 5xx, no handler. */
    async function expectRefused(send: () => Promise<Reply>, status: number): Promise<void> {
      const runs = app.handlerRuns()
      const reply = await send()
      expect({ status: reply.status, handlerRuns: app.handlerRuns() }).toEqual({
        status,
        handlerRuns: runs,
      })
    }

    const bearer = (token: string) => () => get(url(), { authorization: `Bearer ${token}` })

    it('runs the handler for a valid token (positive control)', async () => {
      const runs = app.handlerRuns()
      const reply = await get(url(), { authorization: `Bearer ${issuer.mint()}` })
      expect({ status: reply.status, handlerRuns: app.handlerRuns() }).toEqual({
        status: 200,
        handlerRuns: runs + 1,
      })
    })

    it('ignores a query-only token: 401 with a bare challenge', async () => {
      await expectRejected(
        () => get(`${url()}?access_token=${issuer.mint()}`),
        401,
        'missing_token',
      )
    })

    it('has NUL and bare CR bytes refused by the HTTP parser with 400', async () => {
      const token = issuer.mint()
      for (const line of [`Authorization: Bearer ${token}\x00`, `Authorization: Bearer a\rb`]) {
        await expectRefused(() => getRaw(url(), [line]), 400)
      }
    })

    it('answers a 10 KB token with 401 token_too_large and a 17 KB header with 431', async () => {
      await expectRejected(bearer('a'.repeat(10 * 1024)), 401, 'token_too_large')
      await expectRefused(
        () => getRaw(url(), [`Authorization: Bearer ${issuer.mint()}${'a'.repeat(17 * 1024)}`]),
        431,
      )
    })
  })
}
