import type { BearerRequest, ChallengeOptions, VerifiedToken } from '@keyward/core'

declare global {
  // Express's own extension point, needing no import of Express types. Declared exactly as in
  // @keyward/express (`auth?: VerifiedToken`), which a Nest app on Express may also use: a second
  // declaration of the property with any other type, even an equivalent one, is TS2717.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified access token, set by `BearerAuthGuard` (absent without a token). */
      auth?: VerifiedToken
    }
  }
}

/**
 * The request `BearerAuthGuard` reads and annotates: Express's `req` or Fastify's `request`.
 *
 * @example
 * ```ts
 * const request = context.switchToHttp().getRequest<KeywardRequest>()
 * ```
 */
export interface KeywardRequest extends BearerRequest {
  auth?: VerifiedToken | undefined
  /** Fastify's Node request: the only place its raw header list is kept. */
  readonly raw?: { readonly rawHeaders?: readonly string[] }
}

/**
 * The response the guard puts `WWW-Authenticate` and `Retry-After` on: Node's and Express's
 * `setHeader`, or Fastify's `reply.header`.
 *
 * @example
 * ```ts
 * const response = context.switchToHttp().getResponse<KeywardResponse>()
 * ```
 */
export interface KeywardResponse {
  setHeader?(name: string, value: string): unknown
  header?(name: string, value: string): unknown
}

/**
 * The fields `authenticate` reads; on Fastify `rawHeaders` lives on the Node request. Express's
 * `req` is passed as is: its `originalUrl` is the path before routers stripped their mount.
 */
export function bearerRequest(request: KeywardRequest): BearerRequest {
  // Node's request (Express) carries its own `rawHeaders`: an own-property read, where looking
  // for an absent `raw` walks Express's request prototypes on every request.
  if (request.rawHeaders !== undefined) return request
  const { raw } = request
  if (raw === undefined) return request
  // `url` (the request-target, global prefix included) for DPoP's `htu` (RFC 9449 §4.3).
  const { headers, method, url, query, body } = request
  // `nativeRequest`: the `getToken` option receives Fastify's request, not this view.
  return { headers, rawHeaders: raw.rawHeaders, method, url, query, body, nativeRequest: request }
}

/**
 * Internal: the verifier's challenge for requests `BearerAuthGuard` let through without a token
 * (`@OptionalAuth()`), so that a later guard tells "authenticated, no token" from "never
 * authenticated" (a `RouteOrderError` on a request with credentials).
 */
export const challenges = new WeakMap<object, ChallengeOptions>()
