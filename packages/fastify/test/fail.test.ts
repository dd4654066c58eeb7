import { isKeywardError, type Verifier } from '@keyward/core'
import { ERROR_DESCRIPTIONS, expectedChallenge } from '@keyward/test-utils'
import Fastify5, { type FastifyInstance } from 'fastify'
import Fastify4 from 'fastify4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerAuth, bearerAuthHook, requireScopes } from '../src/index.js'
import { startIssuer, type IssuerFixture } from './helpers.js'

let fixture: IssuerFixture
beforeAll(async () => {
  fixture = await startIssuer()
})
afterAll(async () => {
  await fixture.close()
})

/** `/plugin` behind the plugin, `/hook` behind the route hook, `/scope` behind a scope hook. */
function routes(app: FastifyInstance): void {
  void app.register(async (api) => {
    await api.register(bearerAuth, fixture.options)
    api.get('/plugin', () => ({ reached: true }))
  })
  app.get('/hook', { onRequest: bearerAuthHook(fixture.options) }, () => ({ reached: true }))
  app.get('/scope', { onRequest: requireScopes('write:things') }, () => ({ reached: true }))
}

const PATHS = ['/plugin', '/hook', '/scope']

describe.each([
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
])('failures on %s', (_name, Fastify) => {
  it('answers with status, WWW-Authenticate and the RFC 6750 JSON body without an error handler', async () => {
    const app = Fastify()
    routes(app)
    const token = fixture.issuer.mint({ aud: 'https://other.example' })
    for (const url of PATHS) {
      // `/scope` has no authentication: a token there is a RouteOrderError (route-order contract),
      // so it gets none and answers its own 401.
      const headers = url === '/scope' ? {} : { authorization: `Bearer ${token}` }
      const reply = await app.inject({ url, headers })
      const expected =
        url === '/scope'
          ? {
              status: 401,
              challenge: expectedChallenge('missing_token', { scope: 'write:things' }),
              body: {},
            }
          : {
              status: 401,
              challenge: expectedChallenge('invalid_audience'),
              body: {
                error: 'invalid_token',
                error_description: ERROR_DESCRIPTIONS.invalid_audience,
              },
            }
      expect({
        status: reply.statusCode,
        challenge: reply.headers['www-authenticate'],
        type: reply.headers['content-type'],
        body: reply.json(),
      }).toEqual({ ...expected, type: 'application/json; charset=utf-8' })
    }
    await app.close()
  })

  it('hands the KeywardError to the app’s own error handler, set before or after', async () => {
    for (const when of ['before', 'after'] as const) {
      const seen: unknown[] = []
      const app = Fastify()
      const handle = (target: FastifyInstance) =>
        target.setErrorHandler((error, _request, reply) => {
          seen.push(error)
          return reply.code(599).send({ mine: true })
        })
      if (when === 'before') handle(app)
      routes(app)
      if (when === 'after') handle(app)
      for (const url of PATHS) {
        const reply = await app.inject({ url })
        expect({ status: reply.statusCode, body: reply.json() }).toEqual({
          status: 599,
          body: { mine: true },
        })
      }
      expect(seen.map((error) => isKeywardError(error) && error.code)).toEqual([
        'missing_token',
        'missing_token',
        'missing_token',
      ])
      await app.close()
    }
  })

  it('keeps the status and challenge when an app’s handler hands the error on to Fastify’s', async () => {
    const app = Fastify()
    app.setErrorHandler((error) => {
      throw error
    })
    routes(app)
    const reply = await app.inject({ url: '/plugin' })
    expect({
      status: reply.statusCode,
      challenge: reply.headers['www-authenticate'],
      code: reply.json<{ code: string }>().code,
    }).toEqual({
      status: 401,
      challenge: expectedChallenge('missing_token'),
      code: 'missing_token',
    })
    await app.close()
  })

  it('lets an unexpected verifier rejection reach Fastify’s error handling unchanged', async () => {
    const failure = new Error('boom')
    const verifier = { authenticate: () => Promise.reject(failure) } as unknown as Verifier
    const seen: unknown[] = []
    const app = Fastify({ logger: false })
    app.setErrorHandler((error, _request, reply) => {
      seen.push(error)
      return reply.code(500).send({ failed: true })
    })
    app.get('/', { onRequest: bearerAuthHook(verifier) }, () => ({ reached: true }))
    expect((await app.inject({ url: '/' })).statusCode).toBe(500)
    expect(seen).toEqual([failure])
    await app.close()
  })
})
