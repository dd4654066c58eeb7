import { isKeywardError, type Verifier, type VerifiedToken } from '@keyward/core'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerAuth, type KeywardState } from '../src/index.js'
import { capture, listen, startIssuer, type IssuerFixture } from './helpers.js'

let fixture: IssuerFixture
beforeAll(async () => {
  fixture = await startIssuer()
})
afterAll(async () => {
  await fixture.close()
})

describe('bearerAuth adapter options', () => {
  it('throws a TypeError naming a misspelt adapter option when bearerAuth is called', () => {
    const verifier = { authenticate: () => Promise.resolve(undefined) } as unknown as Verifier
    expect(() => bearerAuth(verifier, { optinal: true } as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('optinal') }),
    )
  })
})

describe.each([
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
])('bearerAuth on %s', (_name, Koa) => {
  it('uses a given Verifier as is, with the request parts and the optional flag', async () => {
    const auth = { subject: 'stub' } as VerifiedToken
    const calls: unknown[][] = []
    const verifier = {
      authenticate: (request: unknown, options: unknown) => {
        calls.push([request, options])
        return Promise.resolve(auth)
      },
    } as unknown as Verifier
    const app = new Koa<KeywardState>()
    // Stands in for a body parser.
    app.use(async (ctx, next) => {
      ;(ctx.request as { body?: unknown }).body = { parsed: true }
      await next()
    })
    app.use(bearerAuth(verifier, { optional: true }))
    app.use((ctx) => {
      ctx.body = { same: ctx.state.auth === auth }
    })
    const running = await listen(app.callback())
    try {
      const res = await fetch(`${running.url}/?x=1`, { headers: { authorization: 'Bearer t' } })
      expect(await res.json()).toEqual({ same: true })
    } finally {
      await running.close()
    }
    expect(calls).toHaveLength(1)
    const [request, options] = calls[0] as [Record<string, unknown>, unknown]
    expect(options).toEqual({ optional: true })
    expect(request.method).toBe('GET')
    expect(request.query).toEqual({ x: '1' })
    expect(request.body).toEqual({ parsed: true })
    expect(request.rawHeaders).toContain('Bearer t')
    expect((request.headers as Record<string, unknown>).authorization).toBe('Bearer t')
  })

  it('throws failures as KeywardErrors with status and headers', async () => {
    const seen: unknown[] = []
    const app = new Koa<KeywardState>()
    app.use(capture(seen))
    app.use(bearerAuth(fixture.options))
    app.use((ctx) => {
      ctx.body = { reached: true }
    })
    const running = await listen(app.callback())
    try {
      expect((await fetch(running.url)).status).toBe(599)
    } finally {
      await running.close()
    }
    const [error] = seen
    expect(isKeywardError(error) && error.code).toBe('missing_token')
    expect(isKeywardError(error) && error.headers['WWW-Authenticate']).toBe('Bearer')
  })

  it('lets an unexpected verifier rejection propagate unchanged', async () => {
    const failure = new Error('boom')
    const verifier = { authenticate: () => Promise.reject(failure) } as unknown as Verifier
    const seen: unknown[] = []
    const app = new Koa<KeywardState>()
    app.use(capture(seen))
    app.use(bearerAuth(verifier))
    const running = await listen(app.callback())
    try {
      expect((await fetch(running.url)).status).toBe(599)
    } finally {
      await running.close()
    }
    expect(seen).toEqual([failure])
  })
})
