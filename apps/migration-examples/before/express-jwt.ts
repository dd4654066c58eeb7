import express, { type ErrorRequestHandler } from 'express'
import { expressjwt, UnauthorizedError, type GetVerificationKey, type Request } from 'express-jwt'
import { expressJwtSecret } from 'jwks-rsa'

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
    expressjwt({
      secret: expressJwtSecret({
        jwksUri,
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
      }) as GetVerificationKey,
      issuer,
      audience,
      algorithms: ['RS256'],
      // The Authorization header, else the header an older client sends.
      getToken: (req) => {
        const [scheme, token] = req.get('authorization')?.split(' ') ?? []
        return scheme === 'Bearer' ? token : req.get('x-access-token')
      },
      isRevoked: async (_req, token) => {
        const jti = typeof token?.payload === 'object' ? token.payload.jti : undefined
        return jti !== undefined && (await revoked.has(jti))
      },
    }),
  )
  app.get('/api/me', (req: Request, res) => {
    res.json({ sub: req.auth?.sub })
  })
  app.get('/api/admin', (req: Request, res) => {
    const roles: unknown = req.auth?.roles
    if (!Array.isArray(roles) || !roles.includes('admin')) {
      res.status(403).json({ code: 'forbidden' })
      return
    }
    res.json({ admin: true })
  })
  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (!(error instanceof UnauthorizedError)) {
      next(error)
      return
    }
    res.status(error.status).json({ code: error.code, message: error.message })
  }
  app.use(onError)
  return app
}
