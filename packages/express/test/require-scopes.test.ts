// Granted scopes reaching the handler, and a scoped route without a token answering 401, are the
// adapter contract's (test/contract.test.ts). Here: validation when created, and next(err).
import { createVerifier, isKeywardError, type Verifier } from '@keyward/core'
import { listen } from '@keyward/adapter-tests'
import { expectedChallenge, startIssuer, type IssuerFixture } from '@keyward/test-utils'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireAnyScope, requireScopes } from '../src/index.js'

let fixture: IssuerFixture
let verifier: Verifier
beforeAll(async () => {
  fixture = await startIssuer()
  verifier = createVerifier({ ...fixture.options, realm: 'api' })
})
afterAll(async () => {
  verifier.close()
  await fixture.close()
})

/** Runs `guard` after a middleware that attaches a verified token granting `scope`. */
async function run(
  guard: RequestHandler,
  scope: string,
): Promise<{ status: number; error: unknown }> {
  const auth = await verifier.verify(fixture.issuer.mint({ scope }))
  let seen: unknown
  const app = express()
  app.get(
    '/',
    (req, _res, next) => {
      req.auth = auth
      next()
    },
    guard,
    (_req, res) => {
      res.json({ reached: true })
    },
  )
  const capture: ErrorRequestHandler = (error, _req, res, _next) => {
    seen = error
    res.status(isKeywardError(error) ? error.status : 599).end()
  }
  app.use(capture)
  const running = await listen(app)
  try {
    return { status: (await fetch(running.url)).status, error: seen }
  } finally {
    await running.close()
  }
}

describe('requireScopes and requireAnyScope', () => {
  it('reject invalid scope names and empty lists when they are created', () => {
    expect(() => requireScopes('read things')).toThrow(TypeError)
    expect(() => requireScopes()).toThrow(TypeError)
    expect(() => requireAnyScope('"quoted"')).toThrow(TypeError)
  })

  it('send insufficient_scope naming every required scope down next(err)', async () => {
    const { status, error } = await run(requireScopes('a', 'b'), 'a')
    expect(status).toBe(403)
    expect(isKeywardError(error) && error.code).toBe('insufficient_scope')
    expect(isKeywardError(error) && error.headers['WWW-Authenticate']).toBe(
      expectedChallenge('insufficient_scope', { realm: 'api', scope: 'a b' }),
    )
  })
})
