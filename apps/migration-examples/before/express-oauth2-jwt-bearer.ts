import express, { type ErrorRequestHandler } from 'express'
import { auth, claimIncludes, requiredScopes, UnauthorizedError } from 'express-oauth2-jwt-bearer'

export interface AuthSettings {
  issuer: string
  audience: string
}

export function createApp({ issuer, audience }: AuthSettings): express.Express {
  const app = express()
  app.use('/api', auth({ issuerBaseURL: issuer, audience, tokenSigningAlg: 'RS256' }))
  app.get('/api/me', (req, res) => {
    res.json({ sub: req.auth?.payload.sub })
  })
  app.get('/api/things', requiredScopes('read:things'), (_req, res) => {
    res.json({ things: [] })
  })
  app.get('/api/admin', claimIncludes('roles', 'admin'), (_req, res) => {
    res.json({ admin: true })
  })
  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (!(error instanceof UnauthorizedError)) {
      next(error)
      return
    }
    res.status(error.status).set(error.headers).json({ message: error.message })
  }
  app.use(onError)
  return app
}
