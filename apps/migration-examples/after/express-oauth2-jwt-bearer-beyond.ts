import express from 'express'
import { bearerAuth, keywardErrorHandler } from '@keyward/express'

export interface AuthSettings {
  issuer: string
  audience: string
}

/** Revoked token ids (`jti`), e.g. a Redis set. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

export function createApp({ issuer, audience }: AuthSettings, revoked: Denylist): express.Express {
  const app = express()
  app.use(
    '/api',
    bearerAuth({
      issuer,
      audience,
      algorithms: ['RS256'],
      // Browser-facing routes: the token may come in this cookie. The Authorization header wins.
      cookie: { name: '__Host-access_token' },
      // A gateway that forwards the token in a header of its own.
      getToken: (req: express.Request) => req.get('x-forwarded-access-token'),
      // A lookup that fails or hangs is a 503, never an accept.
      isRevoked: ({ claims }) => (typeof claims.jti === 'string' ? revoked.has(claims.jti) : false),
    }),
  )
  app.get('/api/me', (req, res) => {
    res.json({ sub: req.auth?.subject })
  })
  app.use(keywardErrorHandler())
  return app
}
