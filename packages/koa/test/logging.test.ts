import { readFile } from 'node:fs/promises'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bearerAuth, isKeywardError, type KeywardState } from '../src/index.js'
import { listen, startIssuer, type IssuerFixture } from './helpers.js'

let fixture: IssuerFixture
beforeEach(async () => {
  fixture = await startIssuer()
})
afterEach(async () => {
  await fixture.close()
})

describe.each([
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
])("the README's error listener on %s", (_name, Koa) => {
  it("logs a 503 with its code and cause, the URL and status keyward found, and no client's 401", async () => {
    fixture.server.setFault({ kind: 'status', status: 404 })
    const lines: string[] = []
    const app = new Koa<KeywardState>()
    app.use(bearerAuth({ ...fixture.options, logger: { warn: (line) => lines.push(line) } }))
    app.use((ctx) => {
      ctx.body = { sub: ctx.state.auth?.subject }
    })
    const logged: string[] = []
    const stderr = vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      logged.push(String(line))
    })
    // recipe:start koa-error-listener
    // Replaces Koa's default error log, which prints a 503's stack but not its `cause`, where
    // keyward puts the URL and the HTTP status. Errors answered to the client (4xx) are skipped.
    app.on('error', (error: Error & { expose?: boolean }) => {
      if (error.expose === true) return
      const what = isKeywardError(error) ? `keyward ${error.code}` : error.name
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
      console.error(`${what}: ${error.message}${cause}`)
    })
    // recipe:end koa-error-listener
    const running = await listen(app.callback())
    try {
      const token = fixture.issuer.mint()
      const unavailable = await fetch(running.url, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(unavailable.status).toBe(503)
      const refused = await fetch(running.url, { headers: { authorization: 'Bearer a.b.c' } })
      expect(refused.status).toBe(401)
    } finally {
      await running.close()
      stderr.mockRestore()
    }
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(/^keyward jwks_misconfigured: /)
    expect(logged[0]).toContain(fixture.server.url)
    expect(logged[0]).toContain('404')
    // keyward's own operator line went to the verifier's logger.
    expect(lines).toHaveLength(1)
  })
})

it('is in the README exactly as tested here', async () => {
  const source = await readFile(new URL(import.meta.url), 'utf8')
  const recipe = /\/\/ recipe:start koa-error-listener\n([\s\S]*?)\s*\/\/ recipe:end/.exec(
    source,
  )?.[1]
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  expect(recipe).toBeDefined()
  // The README's copy is not indented.
  expect(readme).toContain(recipe?.replace(/^ {4}/gm, ''))
})
