import { randomUUID } from 'node:crypto'
import {
  authenticated,
  describeCaller,
  healthReport,
  type DemoApiConfig,
} from '@keyward/demo-api-kit'
import {
  bearerAuth,
  createVerifier,
  isKeywardError,
  requireScopes,
  type KeywardState,
  type Verifier,
} from '@keyward/koa'
import Router from '@koa/router'
import Koa from 'koa'

/** The demo API's audience, unless `AUDIENCE` says otherwise. */
export const AUDIENCE = 'urn:keyward:demo:koa-api'

/**
 * The demo API on Koa: `GET /` is public, `GET /me` needs any valid token, `POST /notes` needs
 * `notes:write`, `GET /healthz` reports the verifier's key state.
 *
 * @example
 * ```ts
 * const { app } = createApp(loadApiConfig(process.env, { service: 'koa-api', audience: AUDIENCE }))
 * app.listen(0, '127.0.0.1')
 * ```
 */
export function createApp(config: DemoApiConfig): { app: Koa<KeywardState>; verifier: Verifier } {
  // One verifier for the whole app: it owns the key cache that health() reports on.
  const verifier = createVerifier(config.verifier)
  const app = new Koa<KeywardState>()
  const publicRoutes = new Router<KeywardState>()
  const protectedRoutes = new Router<KeywardState>()

  publicRoutes.get('/', (ctx) => {
    ctx.body = { service: config.service, message: 'public: no token needed' }
  })
  publicRoutes.get('/healthz', (ctx) => {
    const { status, body } = healthReport(config.service, verifier, config.fetchLog)
    ctx.status = status
    ctx.body = body
  })

  protectedRoutes.use(bearerAuth(verifier))
  protectedRoutes.get('/me', (ctx) => {
    ctx.body = describeCaller(authenticated(ctx.state.auth))
  })
  protectedRoutes.post('/notes', requireScopes('notes:write'), (ctx) => {
    ctx.status = 201
    ctx.body = { id: randomUUID(), createdBy: authenticated(ctx.state.auth).clientId }
  })

  // Koa's default error handling already uses a KeywardError's status, headers (WWW-Authenticate,
  // Retry-After) and `expose`; this only keeps keyward's refusals out of the error log.
  app.on('error', (error: unknown) => {
    if (!isKeywardError(error)) console.error(`[${config.service}]`, error)
  })
  app.use(publicRoutes.routes())
  app.use(protectedRoutes.routes())
  app.use(protectedRoutes.allowedMethods())
  return { app, verifier }
}
