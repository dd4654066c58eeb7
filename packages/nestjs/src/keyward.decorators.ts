import { createParamDecorator, type CustomDecorator, type ExecutionContext } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { scopeCheck, type ScopeCheck, type VerifiedToken } from '@keyward/core'
import type { KeywardRequest } from './keyward.request.js'

// Fixed keys, so decorators and guard agree even when two copies of this package are loaded.
/**
 * Skips `BearerAuthGuard` for a route or controller, e.g. under a global guard.
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

// Internal: the checks `@Scopes()` and `@AnyScope()` store for the guard, built once per route.
export const AllScopesRule = Reflector.createDecorator<ScopeCheck>({ key: 'keyward:scopes' })
export const AnyScopeRule = Reflector.createDecorator<ScopeCheck>({ key: 'keyward:any-scope' })

/**
 * Requires every scope (403 `insufficient_scope` otherwise). Class and method rules both apply.
 * Scope names are validated here, at start-up.
 *
 * @example
 * ```ts
 * @Scopes('read:orders', 'write:orders') @Post('orders') create() {}
 * ```
 */
export function Scopes(...scopes: [string, ...string[]]): CustomDecorator {
  return AllScopesRule(scopeCheck(scopes, 'all'))
}

/**
 * Requires at least one of the scopes (403 `insufficient_scope` otherwise).
 *
 * @example
 * ```ts
 * @AnyScope('admin', 'support') @Get('tickets') list() {}
 * ```
 */
export function AnyScope(...scopes: [string, ...string[]]): CustomDecorator {
  return AnyScopeRule(scopeCheck(scopes, 'any'))
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
)
