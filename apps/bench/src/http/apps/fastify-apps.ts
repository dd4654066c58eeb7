import type { Server } from 'node:http'
import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt'
import { bearerAuth } from '@keyward/fastify'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import buildGetJwks from 'get-jwks'
import { issuerOptions, type AppConfig, type AppFactory } from '../app-config.js'

async function app(
  setup: (app: FastifyInstance) => Promise<void>,
  subject: (request: FastifyRequest) => unknown,
): Promise<Server> {
  // Keep-alive longer than any autocannon run (Fastify's default, 72 s, already is).
  const application = Fastify({ keepAliveTimeout: 60_000 })
  await setup(application)
  application.get('/', (request) => ({ sub: subject(request) }))
  await application.listen({ port: 0, host: '127.0.0.1' })
  return application.server
}

export const baseline: AppFactory = () =>
  app(
    () => Promise.resolve(),
    () => 'anonymous',
  )

export const keyward: AppFactory = (config) =>
  app(
    async (application) => {
      await application.register(bearerAuth, issuerOptions(config))
    },
    (request) => request.auth?.subject,
  )

/**
 * @fastify/jwt's README recipe for a JWKS (get-jwks, `onRequest: request.jwtVerify()`), except
 * that the keys come from the configured JWKS rather than the `iss` of each token.
 */
export const fastifyJwtGetJwks: AppFactory = (config: AppConfig) =>
  app(
    async (application) => {
      const { origin, pathname } = new URL(config.jwksUri)
      const getJwks = buildGetJwks({ jwksPath: pathname })
      await application.register(fastifyJwt, {
        decode: { complete: true },
        secret: (_request: FastifyRequest, token: TokenOrHeader) => {
          // `decode.complete`: the secret function gets `{ header, payload }`.
          const { header } = token as { header: { kid?: string; alg?: string } }
          return getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: origin })
        },
        verify: { allowedIss: config.issuer, allowedAud: config.audience, algorithms: ['RS256'] },
      })
      application.addHook('onRequest', async (request) => {
        await request.jwtVerify()
      })
    },
    (request) => (request.user as { sub?: string } | undefined)?.sub,
  )
