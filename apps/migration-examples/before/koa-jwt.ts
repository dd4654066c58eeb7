import Router from '@koa/router'
import Koa from 'koa'
import koaJwt from 'koa-jwt'
import { koaJwtSecret } from 'jwks-rsa'

export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

/** Revoked token ids (`jti`), e.g. a Redis set. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

interface User {
  sub?: string
  roles?: unknown
}

export function createApp({ issuer, audience, jwksUri }: AuthSettings, revoked: Denylist): Koa {
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
      cookie: 'access_token',
      isRevoked: async (_ctx, decoded) => {
        const { jti } = decoded as { jti?: string }
        return jti !== undefined && (await revoked.has(jti))
      },
    }),
  )
  app.use(router.routes())
  return app
}
