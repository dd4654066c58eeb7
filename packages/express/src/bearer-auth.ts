import {
  resolveAuthenticateOptions,
  resolveVerifier,
  type ChallengeOptions,
  type Verifier,
  type VerifiedToken,
  type VerifierOptions,
} from '@keyward/core'
import type { RequestHandler } from 'express'

declare global {
  // Express's own extension point: express-serve-static-core's `Request` (Express 4 and 5)
  // extends `Express.Request`, and this needs no import that a strict installer could hide.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified access token, set by `bearerAuth` (absent on optional routes without a
       * token). Assignable to the MCP SDK's `AuthInfo`.
       */
      auth?: VerifiedToken
    }
  }
}

/** Options of {@link bearerAuth} that belong to the adapter, not the verifier. */
export interface BearerAuthOptions {
  /**
   * Let requests without a token through with `req.auth` unset; a bad token still fails.
   * @defaultValue false
   */
  readonly optional?: boolean
  /**
   * Scopes this middleware's 401 challenges name in `scope` (RFC 6750 §3), instead of the
   * verifier's `challengeScopes` (when omitted, those apply); `[]` names none.
   * `offline_access` is refused.
   */
  readonly challengeScopes?: readonly string[]
}

/**
 * Authenticates the request's bearer token (RFC 6750) and sets `req.auth`. Failures go to
 * `next(err)` as a `KeywardError` carrying `status` and `headers` (`WWW-Authenticate`,
 * `Retry-After`), which Express's default error handler already answers with.
 *
 * Pass options to create a verifier once, here, or pass a `Verifier` to share one (its keys,
 * caches and refreshes) across routers and apps.
 *
 * @example
 * ```ts
 * app.use(bearerAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json' }))
 * app.get('/me', (req, res) => res.json({ sub: req.auth?.subject }))
 * ```
 */
export function bearerAuth(
  options: VerifierOptions | Verifier,
  adapterOptions?: BearerAuthOptions,
): RequestHandler {
  const verifier = resolveVerifier(options)
  // Validated here, at start-up: a misspelt `optional` must not leave the route required.
  const authenticateOptions = resolveAuthenticateOptions(adapterOptions, 'bearerAuth')
  return (req, _res, next) => {
    verifier.authenticate(req, authenticateOptions).then((auth) => {
      if (auth === undefined) challenges.set(req, verifier.challenge)
      else req.auth = auth
      next()
    }, next)
  }
}

/**
 * Internal: the verifier's realm / resource metadata for requests let through without a token,
 * so that a later `requireScopes` answers their 401 the way the verifier would.
 */
export const challenges = new WeakMap<object, ChallengeOptions>()
