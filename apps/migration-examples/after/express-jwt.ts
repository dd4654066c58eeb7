import express from 'express'
import { bearerAuth, claimIncludes, keywardErrorHandler } from '@keyward/express'

export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

/** Revoked token ids (`jti`), e.g. a Redis set. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

export function createApp(
  { issuer, audience, jwksUri }: AuthSettings,
  revoked: Denylist,
): express.Express {
  const app = express()
  app.use(
    '/api',
    bearerAuth({
      issuer,
      audience,
      jwksUri,
      algorithms: ['RS256'],
      // Besides the Authorization header, which wins: the header an older client sends.
      getToken: (req: express.Request) => req.get('x-access-token'),
      isRevoked: ({ claims }) => (typeof claims.jti === 'string' ? revoked.has(claims.jti) : false),
    }),
  )
  app.get('/api/me', (req, res) => {
    res.json({ sub: req.auth?.subject })
  })
  app.get('/api/admin', claimIncludes('roles', 'admin'), (_req, res) => {
    res.json({ admin: true })
  })
  app.use(keywardErrorHandler())
  return app
}
