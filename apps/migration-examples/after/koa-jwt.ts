import Router from '@koa/router'
import Koa from 'koa'
import { bearerAuth, claimIncludes } from '@keyward/koa'

export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

/** Revoked token ids (`jti`), e.g. a Redis set. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

export function createApp({ issuer, audience, jwksUri }: AuthSettings, revoked: Denylist): Koa {
  const router = new Router()
  router.get('/me', (ctx) => {
    ctx.body = { sub: ctx.state.auth?.subject }
  })
  router.get('/admin', claimIncludes('roles', 'admin'), (ctx) => {
    ctx.body = { admin: true }
  })

  const app = new Koa()
  app.use(
    bearerAuth({
      issuer,
      audience,
      jwksUri,
      algorithms: ['RS256'],
      cookie: { name: 'access_token' },
      isRevoked: ({ claims }) => (typeof claims.jti === 'string' ? revoked.has(claims.jti) : false),
    }),
  )
  app.use(router.routes())
  return app
}
