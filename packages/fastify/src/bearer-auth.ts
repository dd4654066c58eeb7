import {
  resolveAuthenticateOptions,
  resolveVerifier,
  type ChallengeOptions,
  type Verifier,
  type VerifiedToken,
  type VerifierOptions,
} from '@keyward/core'
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify'
import fp from 'fastify-plugin'
import { fail } from './fail.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified access token, set by `bearerAuth` (absent on optional routes without a
     * token). Assignable to the MCP SDK's `AuthInfo`.
     */
    auth?: VerifiedToken
  }
}

/** Options of {@link bearerAuthHook} that belong to the adapter, not the verifier. */
export interface BearerAuthOptions {
  /**
   * Let requests without a token through with `request.auth` unset; a bad token still fails.
   * @defaultValue false
   */
  readonly optional?: boolean
  /**
   * Scopes this hook's 401 challenges name in `scope` (RFC 6750 §3), instead of the verifier's
   * `challengeScopes` (when omitted, those apply); `[]` names none. `offline_access` is refused.
   */
  readonly challengeScopes?: readonly string[]
}

/** The plugin's options with adapter options: the verifier (or its options) under `verifier`. */
export interface BearerAuthSettings extends BearerAuthOptions {
  readonly verifier: VerifierOptions | Verifier
}

/**
 * What `app.register(bearerAuth, …)` takes: verifier options, a `Verifier`, or either under
 * `verifier` beside adapter options.
 */
export type BearerAuthPluginOptions = VerifierOptions | Verifier | BearerAuthSettings

/**
 * A Fastify hook, for a route's `onRequest` / `preValidation` / `preHandler` option or for
 * `addHook`: the three share this signature.
 */
export type KeywardHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void

/**
 * The per-route form of {@link bearerAuth}: a hook that authenticates the request's bearer token
 * (RFC 6750) and sets `request.auth`, for contexts that mix public and protected routes. Pass
 * options to create a verifier once, here, or pass a `Verifier` to share one.
 *
 * @example
 * ```ts
 * const auth = bearerAuthHook(verifier)
 * app.get('/me', { onRequest: auth }, (request) => ({ sub: request.auth?.subject }))
 * app.get('/health', () => ({ ok: true })) // public
 * ```
 */
export function bearerAuthHook(
  options: VerifierOptions | Verifier,
  adapterOptions?: BearerAuthOptions,
): KeywardHook {
  return authHook(options, adapterOptions, 'bearerAuthHook')
}

/**
 * A Fastify plugin (made with `fastify-plugin`, so its hook lands in the context that registers
 * it): every route of that context and of its children is authenticated in `onRequest`, before
 * the body is read; routes of a sibling or parent context stay public. Failures answer with
 * keyward's status, `WWW-Authenticate` / `Retry-After` and JSON body, or go to the app's own
 * `setErrorHandler` as `KeywardError`s.
 *
 * @example
 * ```ts
 * app.register(async (api) => {
 *   await api.register(bearerAuth, { issuer, audience, jwksUri })
 *   api.get('/me', (request) => ({ sub: request.auth?.subject }))
 * })
 * app.get('/health', () => ({ ok: true })) // public: outside the context above
 * ```
 */
export const bearerAuth: FastifyPluginCallback<BearerAuthPluginOptions> = fp(registerBearerAuth, {
  name: '@keyward/fastify',
  fastify: '>=4.28.0 <6',
})

function registerBearerAuth(
  instance: FastifyInstance,
  options: BearerAuthPluginOptions,
  done: (error?: Error) => void,
): void {
  let hook: KeywardHook
  try {
    if ('verifier' in options) {
      const { verifier, ...adapterOptions } = options
      hook = authHook(verifier, adapterOptions, 'bearerAuth')
    } else {
      hook = authHook(options, undefined, 'bearerAuth')
    }
  } catch (error) {
    // A TypeError for bad options rejects `app.ready()`; thrown, it would escape Fastify's loader.
    done(error as Error)
    return
  }
  // Fastify's advice for request properties: declare them, so every request has one shape.
  if (!instance.hasRequestDecorator('auth')) instance.decorateRequest('auth', undefined)
  instance.addHook('onRequest', hook)
  instance.addHook('onRoute', rememberRouteHooks)
  done()
}

function authHook(
  options: VerifierOptions | Verifier,
  adapterOptions: BearerAuthOptions | undefined,
  caller: string,
): KeywardHook {
  const verifier = resolveVerifier(options)
  // Validated here, at start-up: a misspelt `optional` must not leave the route required.
  const authenticateOptions = resolveAuthenticateOptions(adapterOptions, caller)
  return (request, reply, done) => {
    const bearerRequest = {
      headers: request.headers,
      // Node's raw list: the only place a second `Authorization` line is visible.
      rawHeaders: request.raw.rawHeaders,
      method: request.method,
      // RFC 9449 §4.3: DPoP's `htu` names the request-target as received, prefixes included.
      url: request.url,
      query: request.query,
      // Parsed only when the hook runs in preValidation / preHandler (for `allowBodyToken`).
      body: request.body,
      // What the `getToken` option receives.
      nativeRequest: request,
    }
    verifier.authenticate(bearerRequest, authenticateOptions).then(
      (auth) => {
        if (auth === undefined) challenges.set(request, verifier.challenge)
        else request.auth = auth
        done()
      },
      (error: unknown) => {
        fail(error, request, reply, done)
      },
    )
  }
}

/**
 * Internal: where a route's own hooks are kept, in its `config` (copied into the route's context
 * with symbol keys), so that its scope hooks find each other at request time.
 */
export const ROUTE_HOOKS = Symbol('keyward.route-hooks')

const PHASES = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const

/**
 * A Fastify plugin for contexts that use per-route hooks without the {@link bearerAuth}
 * plugin (which includes it): it remembers the hooks of every route registered after it, in
 * its context and below, so that the route's scope hooks are checked together and one
 * challenge names every scope the route needs.
 *
 * @example
 * ```ts
 * await app.register(scopeChains)
 * app.get('/x', { onRequest: [auth, requireScopes('a'), requireScopes('b')] }, handler)
 * ```
 */
export const scopeChains: FastifyPluginCallback = fp(
  (instance, _options, done) => {
    instance.addHook('onRoute', rememberRouteHooks)
    done()
  },
  { name: '@keyward/fastify/scope-chains', fastify: '>=4.28.0 <6' },
)

/** `onRoute`: remembers the route's hooks, so its scope checks are checked together. */
function rememberRouteHooks(route: RouteOptions): void {
  const hooks = PHASES.flatMap((phase) => [route[phase] ?? []].flat() as unknown[])
  route.config = { ...route.config, [ROUTE_HOOKS]: hooks }
}

/** Internal: what a route check's `RouteOrderError` says must run before it. */
export const AUTHENTICATION = 'bearerAuth or bearerAuthHook'

/**
 * Internal: the verifier's realm / resource metadata for requests let through without a token,
 * so that a later `requireScopes` answers their 401 the way the verifier would.
 */
export const challenges = new WeakMap<object, ChallengeOptions>()
