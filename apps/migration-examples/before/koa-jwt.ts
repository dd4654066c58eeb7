import Router from '@koa/router'
import Koa from 'koa'
import koaJwt from 'koa-jwt'
import { koaJwtSecret } from 'jwks-rsa'

export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

interface User {
  sub?: string
  roles?: unknown
}

export function createApp({ issuer, audience, jwksUri }: AuthSettings): Koa {
  const router = new Router()
  router.get('/me', (ctx) => {
    ctx.body = { sub: (ctx.state.user as User).sub }
  })
  router.get('/admin', (ctx) => {
    const { roles } = ctx.state.user as User
    if (!Array.isArray(roles) || !roles.includes('admin')) ctx.throw(403)
    ctx.body = { admin: true }
  })

  const app = new Koa()
  app.use(
    koaJwt({
      secret: koaJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 5 }),
      issuer,
      audience,
      algorithms: ['RS256'],
    }),
  )
  app.use(router.routes())
  return app
}
