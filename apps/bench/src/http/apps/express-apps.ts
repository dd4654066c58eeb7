import { createServer } from 'node:http'
import { bearerAuth, type VerifiedToken } from '@keyward/express'
import express, { type Request, type RequestHandler } from 'express'
import { expressjwt, type GetVerificationKey } from 'express-jwt'
import { auth } from 'express-oauth2-jwt-bearer'
import { expressJwtSecret, passportJwtSecret } from 'jwks-rsa'
import passport from 'passport'
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt'
import { issuerOptions, listen, type AppConfig, type AppFactory } from '../app-config.js'

// The settings of express-jwt's and passport-jwt's READMEs for jwks-rsa.
function jwksRsaSettings(config: AppConfig) {
  return { cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: config.jwksUri }
}

function app(middleware: RequestHandler[], subject: (req: Request) => unknown): AppFactory {
  return () => {
    const application = express()
    application.disable('x-powered-by')
    // Express's default error handler prints every error's stack unless env is 'test'; the
    // checks send bad tokens on purpose.
    application.set('env', 'test')
    application.get('/', ...middleware, (req, res) => {
      res.json({ sub: subject(req) })
    })
    return listen(createServer(application))
  }
}

export const baseline: AppFactory = (config) => app([], () => 'anonymous')(config)

export const keyward: AppFactory = (config) =>
  app(
    [bearerAuth(issuerOptions(config))],
    // express-oauth2-jwt-bearer declares `req.auth` too; in this shared app its type wins.
    (req) => (req as unknown as { auth?: VerifiedToken }).auth?.subject,
  )(config)

/**
 * keyward with DPoP accepted (mode `'allowed'`, in-memory replay store): the suite sends it
 * DPoP-bound tokens, each request with a fresh proof for `GET <publicBaseUrl>/`.
 */
export const keywardDpop: AppFactory = (config) =>
  app(
    [
      bearerAuth({
        ...issuerOptions(config),
        dpop: { publicBaseUrl: config.publicBaseUrl },
      }),
    ],
    (req) => (req as unknown as { auth?: VerifiedToken }).auth?.subject,
  )(config)

/** keyward with `signatureThreads` forced, for `experiments/http-signature-threads.ts`. */
export const keywardThreadPool: AppFactory = (config) =>
  app(
    [bearerAuth({ ...issuerOptions(config), signatureThreads: 'threadPool' })],
    (req) => (req as unknown as { auth?: VerifiedToken }).auth?.subject,
  )(config)

export const keywardInline: AppFactory = (config) =>
  app(
    [bearerAuth({ ...issuerOptions(config), signatureThreads: 'inline' })],
    (req) => (req as unknown as { auth?: VerifiedToken }).auth?.subject,
  )(config)

export const oauth2JwtBearer: AppFactory = (config) =>
  app(
    [auth({ ...issuerOptions(config), tokenSigningAlg: 'RS256' })],
    (req) => (req as Request & { auth?: { payload: { sub?: string } } }).auth?.payload.sub,
  )(config)

export const expressJwt: AppFactory = (config) =>
  app(
    [
      expressjwt({
        secret: expressJwtSecret(jwksRsaSettings(config)) as GetVerificationKey,
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['RS256'],
      }),
    ],
    (req) => (req as Request & { auth?: { sub?: string } }).auth?.sub,
  )(config)

export const passportJwt: AppFactory = (config) => {
  const authenticator = new passport.Passport()
  authenticator.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider: passportJwtSecret(jwksRsaSettings(config)),
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['RS256'],
      },
      (payload: unknown, done: (error: null, user: unknown) => void) => {
        done(null, payload)
      },
    ),
  )
  return app(
    [
      authenticator.initialize(),
      authenticator.authenticate('jwt', { session: false }) as RequestHandler,
    ],
    (req) => (req as { user?: { sub?: string } }).user?.sub,
  )(config)
}
