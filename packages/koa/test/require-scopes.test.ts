// Granted scopes reaching the handler, and a scoped route without a token answering 401, are the
// adapter contract's (test/contract.test.ts). Here: validation when created, and the thrown error.
import { createVerifier, isKeywardError, type Verifier } from '@keyward/core'
import { expectedChallenge } from '@keyward/test-utils'
import Koa, { type Middleware } from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireAnyScope, requireScopes, type KeywardState } from '../src/index.js'
import { capture, listen, startIssuer, type IssuerFixture } from './helpers.js'

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
  guard: Middleware<KeywardState>,
  scope: string,
): Promise<{ status: number; error: unknown }> {
  const auth = await verifier.verify(fixture.issuer.mint({ scope }))
  const seen: unknown[] = []
  const app = new Koa<KeywardState>()
  app.use(capture(seen))
  app.use(async (ctx, next) => {
    ctx.state.auth = auth
    await next()
  })
  app.use(guard)
  app.use((ctx) => {
    ctx.body = { reached: true }
  })
  const running = await listen(app.callback())
  try {
    return { status: (await fetch(running.url)).status, error: seen[0] }
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

  it('throw insufficient_scope naming every required scope', async () => {
    const { status, error } = await run(requireScopes('a', 'b'), 'a')
    expect(status).toBe(599)
    expect(isKeywardError(error) && error.code).toBe('insufficient_scope')
    expect(isKeywardError(error) && error.headers['WWW-Authenticate']).toBe(
      expectedChallenge('insufficient_scope', { realm: 'api', scope: 'a b' }),
    )
  })
})
