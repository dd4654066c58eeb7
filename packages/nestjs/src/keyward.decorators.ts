import { createParamDecorator, type ExecutionContext } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import {
  claimCheck,
  claimEquals,
  claimIncludes,
  scopeCheck,
  serviceAccountCheck,
  spiffeIdCheck,
  type ClaimCheck as RouteCheck,
  type ClaimCheckOptions,
  type ClaimPredicate,
  type ClaimValue,
  type VerifiedToken,
} from '@keyward/core'
import type { KeywardRequest } from './keyward.request.js'

// Fixed keys, so decorators and guard agree even when two copies of this package are loaded.
/**
 * Skips `BearerAuthGuard` for a route or controller, e.g. under a global guard. A scope rule on
 * the route wins; on a controller it covers that class's routes, not a subclass's.
 *
 * @example
 * ```ts
 * @Public() @Get('health') health() { return 'ok' }
 * ```
 */
export const Public = Reflector.createDecorator<undefined, true>({
  key: 'keyward:public',
  transform: () => true,
})

/**
 * Lets requests without a token through (`@Auth()` is `undefined`); a bad token still fails.
 * On a controller it covers that class's routes, not a subclass's.
 *
 * @example
 * ```ts
 * @OptionalAuth() @Get('feed') feed(@Auth() auth?: VerifiedToken) {}
 * ```
 */
export const OptionalAuth = Reflector.createDecorator<undefined, true>({
  key: 'keyward:optional',
  transform: () => true,
})

/**
 * Internal: the list of scope and claim checks on a class or method, every one of which
 * applies.
 */
export const SCOPES_KEY = 'keyward:scopes'
/** Internal: set on `(class, method)` by `@Auth()`, for the start-up scan. */
export const AUTH_PARAM_KEY = 'keyward:auth-param'

/** Appends a check to the target's own list: stacked and composed rules add up, never replace. */
function scopeRule(check: RouteCheck): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const on = (descriptor?.value as object | undefined) ?? target
    const list = (Reflect.getOwnMetadata(SCOPES_KEY, on) as RouteCheck[] | undefined) ?? []
    Reflect.defineMetadata(SCOPES_KEY, [...list, check], on)
  }
}

/**
 * Requires every scope (403 `insufficient_scope` otherwise) and so a token. Every scope rule of
 * the route applies: method, class and base classes, several on one target included.
 * Scope names are validated here, at start-up.
 *
 * @example
 * ```ts
 * @Scopes('read:orders', 'write:orders') @Post('orders') create() {}
 * ```
 */
export function Scopes(...scopes: [string, ...string[]]): ClassDecorator & MethodDecorator {
  return scopeRule(scopeCheck(scopes, 'all'))
}

/**
 * Requires at least one of the scopes (403 `insufficient_scope` otherwise), and so a token.
 *
 * @example
 * ```ts
 * @AnyScope('admin', 'support') @Get('tickets') list() {}
 * ```
 */
export function AnyScope(...scopes: [string, ...string[]]): ClassDecorator & MethodDecorator {
  return scopeRule(scopeCheck(scopes, 'any'))
}

/**
 * Requires the token's claim `name` to be exactly `value` (401 `invalid_claim` otherwise, with a
 * fixed description that never names the claim or its value), and so a token. Merges with every
 * other scope and claim rule of the route, like `@Scopes()`. Validated here, at start-up.
 *
 * @example
 * ```ts
 * @ClaimEquals('org_id', 'acme') @Get('billing') billing() {}
 * ```
 */
export function ClaimEquals(name: string, value: ClaimValue): ClassDecorator & MethodDecorator {
  return scopeRule(claimEquals(name, value))
}

/**
 * Requires the token's claim `name` to include every one of `values` (an array, or a
 * space-separated string); 401 `invalid_claim` otherwise.
 *
 * @example
 * ```ts
 * @ClaimIncludes('roles', 'editor') @Delete('posts/:id') remove() {}
 * ```
 */
export function ClaimIncludes(
  name: string,
  ...values: [ClaimValue, ...ClaimValue[]]
): ClassDecorator & MethodDecorator {
  return scopeRule(claimIncludes(name, ...values))
}

/**
 * Requires `predicate(claims, token)` to answer `true` (or a promise of it); `false`, a throw,
 * a non-boolean and no answer within `timeoutMs` are 401 `invalid_claim`.
 *
 * @example
 * ```ts
 * @ClaimCheck((claims) => claims.acr === 'mfa') @Post('transfers') transfer() {}
 * ```
 */
export function ClaimCheck(
  predicate: ClaimPredicate,
  options?: ClaimCheckOptions,
): ClassDecorator & MethodDecorator {
  return scopeRule(claimCheck(predicate, options))
}

/**
 * Allows only JWT-SVIDs of these SPIFFE IDs: an exact ID, or an ID followed by `/*` for every ID
 * below it (403 `workload_not_allowed` otherwise), and so a token. Merges with every other rule
 * of the route, like `@Scopes()`. Validated here, at start-up.
 *
 * @example
 * ```ts
 * @SpiffeIds('spiffe://example.org/ns/shop/*') @Post('charges') charge() {}
 * ```
 */
export function SpiffeIds(...patterns: [string, ...string[]]): ClassDecorator & MethodDecorator {
  return scopeRule(spiffeIdCheck(patterns))
}

/**
 * Allows only Kubernetes service-account tokens of these service accounts (`namespace/name`, or
 * `namespace/*`); 403 `workload_not_allowed` otherwise.
 *
 * @example
 * ```ts
 * @ServiceAccounts('ops/deployer') @Post('deploy') deploy() {}
 * ```
 */
export function ServiceAccounts(
  ...patterns: [string, ...string[]]
): ClassDecorator & MethodDecorator {
  return scopeRule(serviceAccountCheck(patterns))
}

/**
 * Injects the verified token, or one of its fields. Works on Express, Fastify and (through
 * `context.req`) GraphQL, unlike `req.auth`, which is typed for Express only.
 *
 * @example
 * ```ts
 * @Get('me') me(@Auth() auth: VerifiedToken, @Auth('subject') sub: string) {}
 * ```
 */
export const Auth = createParamDecorator(
  (field: keyof VerifiedToken | undefined, context: ExecutionContext): unknown => {
    const request =
      context.getType() === 'http'
        ? context.switchToHttp().getRequest<KeywardRequest>()
        : context.getArgByIndex<{ req?: KeywardRequest } | undefined>(2)?.req
    return field === undefined ? request?.auth : request?.auth?.[field]
  },
  // Marks the route: a token parameter is a rule the guard must be there to fill.
  [
    (target, key) => {
      if (key !== undefined) Reflect.defineMetadata(AUTH_PARAM_KEY, true, target.constructor, key)
    },
  ],
)
