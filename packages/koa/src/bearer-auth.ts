import {
  resolveAuthenticateOptions,
  resolveVerifier,
  type ChallengeOptions,
  type Verifier,
  type VerifiedToken,
  type VerifierOptions,
} from '@keyward/core'
import type { Middleware } from 'koa'

/**
 * `ctx.state` after {@link bearerAuth}. Use it as the app's state type (`new Koa<KeywardState>()`)
 * or rely on the `DefaultState` augmentation below.
 */
export interface KeywardState {
  /** The verified access token; absent on optional routes without a token. */
  auth?: VerifiedToken
}

declare module 'koa' {
  interface DefaultState {
    /** The verified access token, set by `@keyward/koa`'s `bearerAuth`. */
    auth?: VerifiedToken
  }
}

/** Options of {@link bearerAuth} that belong to the adapter, not the verifier. */
export interface BearerAuthOptions {
  /**
   * Let requests without a token through with `ctx.state.auth` unset; a bad token still fails.
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
 * Authenticates the request's bearer token (RFC 6750) and sets `ctx.state.auth`. Failures are
 * thrown as a `KeywardError` with `status`, `expose` and `headers` (`WWW-Authenticate`,
 * `Retry-After`), which Koa's default error handling already answers with.
 *
 * Pass options to create a verifier once, here, or pass a `Verifier` to share one.
 *
 * @example
 * ```ts
 * app.use(bearerAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json' }))
 * app.use((ctx) => { ctx.body = { sub: ctx.state.auth?.subject } })
 * ```
 */
export function bearerAuth(
  options: VerifierOptions | Verifier,
  adapterOptions?: BearerAuthOptions,
): Middleware<KeywardState> {
  const verifier = resolveVerifier(options)
  // Validated here, at start-up: a misspelt `optional` must not leave the route required.
  const authenticateOptions = resolveAuthenticateOptions(adapterOptions, 'bearerAuth')
  return async (ctx, next) => {
    const request = {
      headers: ctx.headers,
      // Node's raw list: the only place a second `Authorization` line is visible.
      rawHeaders: ctx.req.rawHeaders,
      method: ctx.method,
      // RFC 9449 §4.3: DPoP's `htu` names the path the client requested, which a mounting
      // middleware (koa-mount) strips from `ctx.url` but not from `ctx.originalUrl`.
      originalUrl: ctx.originalUrl,
      query: ctx.query,
      // Set by a body parser, if any (for `allowBodyToken`).
      body: (ctx.request as { body?: unknown }).body,
      // What the `getToken` option receives: the context, as koa-jwt's `getToken` does.
      nativeRequest: ctx,
    }
    const auth = await verifier.authenticate(request, authenticateOptions)
    if (auth === undefined) challenges.set(ctx, verifier.challenge)
    else ctx.state.auth = auth
    await next()
  }
}

/**
 * Internal: the verifier's realm / resource metadata for requests let through without a token,
 * so that a later `requireScopes` answers their 401 the way the verifier would.
 */
export const challenges = new WeakMap<object, ChallengeOptions>()
