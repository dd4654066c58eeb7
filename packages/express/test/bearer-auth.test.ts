import { isKeywardError, type Verifier, type VerifiedToken } from '@keyward/core'
import { listen } from '@keyward/adapter-tests'
import { startIssuer, type IssuerFixture } from '@keyward/test-utils'
import express5, { type ErrorRequestHandler } from 'express'
import express4 from 'express4'
import { format } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bearerAuth } from '../src/index.js'

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
  ['Express 5', express5],
  ['Express 4', express4],
])('bearerAuth on %s', (_name, express) => {
  it('uses a given Verifier as is, with the Express request and the optional flag', async () => {
    const auth = { subject: 'stub' } as VerifiedToken
    const calls: unknown[][] = []
    const verifier = {
      authenticate: (request: unknown, options: unknown) => {
        calls.push([request, options])
        return Promise.resolve(auth)
      },
    } as unknown as Verifier
    const app = express()
    app.get('/', bearerAuth(verifier, { optional: true }), (req, res) => {
      res.json({ same: req.auth === auth })
    })
    const running = await listen(app)
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
    expect(request.rawHeaders).toContain('Bearer t')
  })

  it('sends failures down next(err) as KeywardErrors with status and headers', async () => {
    const { options } = fixture
    const seen: unknown[] = []
    const app = express()
    app.get('/', bearerAuth(options), (_req, res) => {
      res.json({ reached: true })
    })
    const capture: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error)
      res.status(599).end()
    }
    app.use(capture)
    const running = await listen(app)
    try {
      expect((await fetch(running.url)).status).toBe(599)
    } finally {
      await running.close()
    }
    const [error] = seen
    expect(isKeywardError(error) && error.code).toBe('missing_token')
    expect(isKeywardError(error) && error.headers['WWW-Authenticate']).toBe('Bearer')
  })

  it('sends an unexpected verifier rejection down next(err) unchanged', async () => {
    const failure = new Error('boom')
    const verifier = { authenticate: () => Promise.reject(failure) } as unknown as Verifier
    const seen: unknown[] = []
    const app = express()
    app.get('/', bearerAuth(verifier), (_req, res) => {
      res.json({ reached: true })
    })
    const capture: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error)
      res.status(599).end()
    }
    app.use(capture)
    const running = await listen(app)
    try {
      expect((await fetch(running.url)).status).toBe(599)
    } finally {
      await running.close()
    }
    expect(seen).toEqual([failure])
  })
})

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])("Express's default error handler on %s", (_name, express) => {
  /** Five requests with a malformed token, to an app without keywardErrorHandler. */
  async function rejectFive(
    env: string,
  ): Promise<{ logged: string; statuses: number[]; body: string }> {
    const logged: string[] = []
    // What console.error would write to stderr: Express logs every error it handles, whatever
    // its status, unless env is 'test'.
    const stderr = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(format(...args))
    })
    const app = express()
    app.set('env', env) // what NODE_ENV sets when the app is created
    app.use(bearerAuth(fixture.options))
    app.get('/', (_req, res) => res.json({ reached: true }))
    const running = await listen(app)
    const statuses: number[] = []
    let body = ''
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(running.url, { headers: { authorization: 'Bearer a.b.c' } })
        statuses.push(res.status)
        body = await res.text()
      }
    } finally {
      await running.close()
      stderr.mockRestore()
    }
    return { logged: logged.join('\n'), statuses, body }
  }

  it('logs at most one line per rejected token, with no stack or file path, in production', async () => {
    const { logged, statuses } = await rejectFive('production')
    expect(statuses).toEqual([401, 401, 401, 401, 401])
    expect(logged.split('\n').length).toBeLessThanOrEqual(5)
    expect(logged).not.toMatch(/\.[cm]?[jt]s\b/)
  })

  it('renders no stack or file path in the development error page', async () => {
    const { logged, statuses, body } = await rejectFive('development')
    expect(statuses).toEqual([401, 401, 401, 401, 401])
    expect(body).toContain('malformed_token')
    expect(body).not.toMatch(/\.[cm]?[jt]s\b/)
    expect(logged.split('\n').length).toBeLessThanOrEqual(5)
  })
})
