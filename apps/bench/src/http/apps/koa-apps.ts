import { createServer, type Server } from 'node:http'
import { bearerAuth } from '@keyward/koa'
import { koaJwtSecret } from 'jwks-rsa'
import Koa, { type Middleware } from 'koa'
import koaJwt from 'koa-jwt'
import { issuerOptions, listen, type AppFactory } from '../app-config.js'

function app(
  middleware: Middleware[],
  subject: (state: Koa.DefaultState) => unknown,
): Promise<Server> {
  const application = new Koa()
  for (const layer of middleware) application.use(layer)
  application.use((ctx) => {
    if (ctx.method !== 'GET' || ctx.path !== '/') return
    ctx.body = { sub: subject(ctx.state) }
  })
  const handle = application.callback()
  return listen(
    createServer((req, res) => {
      void handle(req, res)
    }),
  )
}

export const baseline: AppFactory = () => app([], () => 'anonymous')

export const keyward: AppFactory = (config) =>
  app([bearerAuth(issuerOptions(config))], (state) => state.auth?.subject)

export const koaJwt_: AppFactory = (config) =>
  app(
    [
      koaJwt({
        // The settings of koa-jwt's README for jwks-rsa.
        secret: koaJwtSecret({
          jwksUri: config.jwksUri,
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 5,
        }),
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['RS256'],
      }),
    ],
    (state) => (state.user as { sub?: string } | undefined)?.sub,
  )

export { koaJwt_ as koaJwt }
