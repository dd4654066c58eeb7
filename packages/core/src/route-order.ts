import { namesKeywardScheme } from './extract-bearer-token.js'
import type { RequestHeaders } from './mcp-headers.js'
import type { VerifiedToken } from './verified-token.js'
import type { ChallengeOptions } from './www-authenticate.js'

/**
 * A set-up mistake, not a client's: a route check (`requireScopes`, a claim or workload rule,
 * `toolScopes`) ran before authentication on a request that carries credentials. Answered as
 * the framework answers any programming error (500), never as a 401 that would send the
 * client looking for a token it already sent. The message names the check and what must run
 * before it; it is for the developer's log, and never contains request data.
 *
 * @example
 * ```ts
 * app.use((error, req, res, next) => {
 *   if (isRouteOrderError(error)) console.error(error.message) // requireScopes ran before bearerAuth…
 *   next(error)
 * })
 * ```
 */
export class RouteOrderError extends Error {
  override readonly name = 'RouteOrderError'
  /** The check that ran too early, as the adapter exports it (`requireScopes`, `toolScopes`…). */
  readonly check: string
  /** What must run before it (`bearerAuth`, `BearerAuthGuard`…). */
  readonly authentication: string

  constructor(check: string, authentication: string) {
    super(
      `${check} ran before ${authentication} on a request with credentials: ` +
        `mount ${authentication} first, ${check} checks the token it verifies`,
    )
    this.check = check
    this.authentication = authentication
  }
}

/**
 * Whether `error` is a {@link RouteOrderError}, from this copy of keyward or another.
 *
 * @example
 * ```ts
 * if (isRouteOrderError(error)) logger.error(error.message)
 * ```
 */
export function isRouteOrderError(error: unknown): error is RouteOrderError {
  return error instanceof Error && error.name === 'RouteOrderError'
}

/**
 * Whether a request carries credentials keyward authenticates: an `Authorization` header on
 * the `Bearer` or `DPoP` scheme, well-formed or not, or a `DPoP` proof header. Another scheme
 * (`Basic`) is not keyward's: authentication would find no token there either.
 */
function carriesCredentials(headers: RequestHeaders): boolean {
  if (headers.dpop !== undefined) return true
  const authorization = headers.authorization
  const values = typeof authorization === 'string' ? [authorization] : (authorization ?? [])
  return values.some(namesKeywardScheme)
}

/**
 * Called by an adapter's route check before it checks: throws {@link RouteOrderError} when
 * authentication never ran for `request` although it carries credentials. `auth` is what
 * authentication set (`req.auth`), `challenge` what it left for a request it let through
 * without a token (optional authentication); both `undefined` means it never ran. A request
 * without credentials passes, so the check answers it as before: 401 `missing_token`, which is
 * also the right answer when authentication is missing (RFC 6750 §3.1). Cookie and `getToken`
 * sources are options of a verifier that never ran here, so only headers count.
 *
 * @example
 * ```ts
 * checkRouteOrder(req, req.auth, challenges.get(req), 'requireScopes', 'bearerAuth')
 * check(req.auth, challenges.get(req))
 * ```
 */
export function checkRouteOrder(
  request: { readonly headers: RequestHeaders },
  auth: VerifiedToken | undefined,
  challenge: ChallengeOptions | undefined,
  check: string,
  authentication: string,
): void {
  if (auth !== undefined || challenge !== undefined) return
  if (carriesCredentials(request.headers)) throw new RouteOrderError(check, authentication)
}
