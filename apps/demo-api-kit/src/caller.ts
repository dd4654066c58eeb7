import type { VerifiedToken } from '@keyward/core'

/** The body of `GET /me`: who called, as the verified token says. */
export interface Caller {
  readonly clientId: string
  readonly subject: string | undefined
  readonly scopes: readonly string[]
  readonly audience: readonly string[]
  readonly issuer: string
  readonly expiresAt: number
  /** The key that verified the token. */
  readonly kid: string | undefined
}

/**
 * The token of a request that passed a non-optional bearer check. Adapters type it optional (an
 * optional route has none); here its absence can only be a wiring mistake, so it throws.
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json(describeCaller(authenticated(req.auth))))
 * ```
 */
export function authenticated<T extends VerifiedToken>(auth: T | undefined): T {
  if (auth === undefined) throw new Error('no verified token: is the route behind bearerAuth?')
  return auth
}

/**
 * Picks what `GET /me` shows from a verified token (never the token itself).
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json(describeCaller(req.auth!)))
 * ```
 */
export function describeCaller(auth: VerifiedToken): Caller {
  return {
    clientId: auth.clientId,
    subject: auth.subject,
    scopes: auth.scopes,
    audience: auth.audience,
    issuer: auth.issuer,
    expiresAt: auth.expiresAt,
    kid: auth.kid,
  }
}
