import { randomUUID } from 'node:crypto'
import {
  authenticated,
  describeCaller,
  healthReport,
  type DemoApiConfig,
} from '@keyward/demo-api-kit'
import {
  bearerAuth,
  createVerifier,
  keywardErrorHandler,
  requireScopes,
  type Verifier,
} from '@keyward/express'
import express, { type Express } from 'express'

/** The demo API's audience, unless `AUDIENCE` says otherwise. */
export const AUDIENCE = 'urn:keyward:demo:express-api'

/**
 * The demo API on Express: `GET /` is public, `GET /me` needs any valid token, `POST /notes`
 * needs `notes:write`, `GET /healthz` reports the verifier's key state.
 *
 * @example
 * ```ts
 * const { app, verifier } = createApp(loadApiConfig(process.env, { service: 'express-api', audience: AUDIENCE }))
 * app.listen(0, '127.0.0.1')
 * ```
 */
export function createApp(config: DemoApiConfig): { app: Express; verifier: Verifier } {
  // One verifier for the whole app: it owns the key cache that health() reports on.
  const verifier = createVerifier(config.verifier)
  const app = express()

  app.get('/', (_req, res) => {
    res.json({ service: config.service, message: 'public: no token needed' })
  })

  app.get('/healthz', (_req, res) => {
    const { status, body } = healthReport(config.service, verifier, config.fetchLog)
    res.status(status).json(body)
  })

  app.use(bearerAuth(verifier))

  app.get('/me', (req, res) => {
    res.json(describeCaller(authenticated(req.auth)))
  })

  app.post('/notes', requireScopes('notes:write'), (req, res) => {
    res.status(201).json({ id: randomUUID(), createdBy: authenticated(req.auth).clientId })
  })

  // keyward's errors carry their status, WWW-Authenticate and Retry-After headers.
  app.use(keywardErrorHandler())

  return { app, verifier }
}
