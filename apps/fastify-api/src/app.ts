import { randomUUID } from 'node:crypto'
import {
  authenticated,
  describeCaller,
  healthReport,
  type DemoApiConfig,
} from '@keyward/demo-api-kit'
import { bearerAuth, createVerifier, requireScopes, type Verifier } from '@keyward/fastify'
import Fastify, { type FastifyInstance } from 'fastify'

/** The demo API's audience, unless `AUDIENCE` says otherwise. */
export const AUDIENCE = 'urn:keyward:demo:fastify-api'

/**
 * The demo API on Fastify: `GET /` is public, `GET /me` needs any valid token, `POST /notes`
 * needs `notes:write`, `GET /healthz` reports the verifier's key state.
 *
 * @example
 * ```ts
 * const { app } = createApp(loadApiConfig(process.env, { service: 'fastify-api', audience: AUDIENCE }))
 * await app.listen({ port: 0, host: '127.0.0.1' })
 * ```
 */
export function createApp(config: DemoApiConfig): { app: FastifyInstance; verifier: Verifier } {
  // One verifier for the whole app: it owns the key cache that health() reports on.
  const verifier = createVerifier(config.verifier)
  const app = Fastify()

  app.get('/', () => ({ service: config.service, message: 'public: no token needed' }))
  app.get('/healthz', (_request, reply) => {
    const { status, body } = healthReport(config.service, verifier, config.fetchLog)
    return reply.code(status).send(body)
  })

  // The protected routes: one encapsulation context behind the plugin. The public routes above
  // are outside it, so they stay public. Failures answer with keyward's status, headers
  // (WWW-Authenticate, Retry-After) and RFC 6750 JSON body.
  void app.register(async (api) => {
    await api.register(bearerAuth, verifier)
    api.get('/me', (request) => describeCaller(authenticated(request.auth)))
    api.post('/notes', { onRequest: requireScopes('notes:write') }, (request, reply) =>
      reply.code(201).send({ id: randomUUID(), createdBy: authenticated(request.auth).clientId }),
    )
  })

  return { app, verifier }
}
