import express from 'express'
import { bearerAuth, claimIncludes, keywardErrorHandler, requireScopes } from '@keyward/express'

export interface AuthSettings {
  issuer: string
  audience: string
}

export function createApp({ issuer, audience }: AuthSettings): express.Express {
  const app = express()
  app.use('/api', bearerAuth({ issuer, audience, algorithms: ['RS256'] }))
  app.get('/api/me', (req, res) => {
    res.json({ sub: req.auth?.subject })
  })
  app.get('/api/things', requireScopes('read:things'), (_req, res) => {
    res.json({ things: [] })
  })
  app.get('/api/admin', claimIncludes('roles', 'admin'), (_req, res) => {
    res.json({ admin: true })
  })
  app.use(keywardErrorHandler())
  return app
}
