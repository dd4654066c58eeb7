import { KeywardError } from '@keyward/core'
import { listen } from '@keyward/adapter-tests'
import { ERROR_DESCRIPTIONS, expectedChallenge } from '@keyward/test-utils'
import express5, { type ErrorRequestHandler, type RequestHandler } from 'express'
import express4 from 'express4'
import { describe, expect, it } from 'vitest'
import { keywardErrorHandler, type KeywardErrorHandlerOptions } from '../src/index.js'

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('keywardErrorHandler on %s', (_name, express) => {
  async function answer(
    route: RequestHandler,
    options?: KeywardErrorHandlerOptions,
  ): Promise<{ response: Response; passedOn: unknown[] }> {
    const passedOn: unknown[] = []
    const app = express()
    app.get('/', route)
    app.use(keywardErrorHandler(options))
    const fallback: ErrorRequestHandler = (error, _req, res, _next) => {
      passedOn.push(error)
      if (res.headersSent) res.end()
      else res.status(599).end()
    }
    app.use(fallback)
    const running = await listen(app)
    try {
      const response = await fetch(running.url)
      await response.clone().arrayBuffer()
      return { response, passedOn }
    } finally {
      await running.close()
    }
  }

  it('renders status, WWW-Authenticate and the RFC 6750 JSON body', async () => {
    const { response, passedOn } = await answer((_req, _res, next) => {
      next(new KeywardError('token_expired', { challenge: { realm: 'api' } }))
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      expectedChallenge('token_expired', { realm: 'api' }),
    )
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: ERROR_DESCRIPTIONS.token_expired,
    })
    expect(passedOn).toEqual([])
  })

  it('answers a missing token with a bare challenge and an empty body object', async () => {
    const { response } = await answer((_req, _res, next) => {
      next(new KeywardError('missing_token'))
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.json()).toEqual({})
  })

  it('answers jwks_unavailable with 503, Retry-After and no challenge', async () => {
    const { response } = await answer((_req, _res, next) => {
      next(new KeywardError('jwks_unavailable', { retryAfterMs: 4500 }))
    })
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toEqual({ error: 'temporarily_unavailable' })
  })

  it('builds the body with the body option, keeping status and headers', async () => {
    const { response } = await answer(
      (_req, _res, next) => {
        next(new KeywardError('insufficient_scope', { scopes: ['admin'] }))
      },
      { body: (error) => ({ code: error.code, needed: error.scopes }) },
    )
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('scope="admin"')
    expect(await response.json()).toEqual({ code: 'insufficient_scope', needed: ['admin'] })
  })

  it('passes other errors on unchanged', async () => {
    const failure = new Error('boom')
    const { response, passedOn } = await answer((_req, _res, next) => {
      next(failure)
    })
    expect(response.status).toBe(599)
    expect(passedOn).toEqual([failure])
  })

  it('passes keyward errors on once headers were sent', async () => {
    const failure = new KeywardError('token_expired')
    const { response, passedOn } = await answer((_req, res, next) => {
      res.status(200).write('partial')
      next(failure)
    })
    expect(response.status).toBe(200)
    expect(passedOn).toEqual([failure])
  })

  it.each([
    [{ bdy: () => ({}) }, 'unknown keywardErrorHandler option "bdy"'],
    [{ body: 'json' }, 'keywardErrorHandler option "body" must be a function'],
    [null, 'keywardErrorHandler options must be an object'],
  ])('refuses the options %j at start-up with a TypeError', (options, message) => {
    expect(() => keywardErrorHandler(options as KeywardErrorHandlerOptions)).toThrow(
      new TypeError(message),
    )
  })
})
