import {
  HttpException,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { isKeywardError, type KeywardError, type Verifier, type VerifiedToken } from '@keyward/core'
import { keywardException, setResponseHeaders } from './keyward.exception.js'
import { KEYWARD_VERIFIER } from './keyward.module-definition.js'
import {
  bearerRequest,
  challenges,
  type KeywardRequest,
  type KeywardResponse,
} from './keyward.request.js'
import { rulesOfRoute, type RouteRules } from './keyward.rules.js'

// A fixed key rather than `instanceof`, so two copies of this package recognise each other's guard.
const GUARD_KEY = 'keyward:bearer-auth-guard'

/** Whether a guard (class or instance, as Nest stores them) is `BearerAuthGuard` or a subclass. */
export function isBearerAuthGuard(guard: unknown): boolean {
  const type = typeof guard === 'function' ? guard : (guard as object | null)?.constructor
  return type !== undefined && Reflect.getMetadata(GUARD_KEY, type) === true
}

/** What `@nestjs/graphql` passes resolvers as their context: Apollo's `{ req, res }` by default. */
interface GraphQLContext {
  readonly req?: KeywardRequest & { readonly res?: KeywardResponse }
  readonly res?: KeywardResponse
}

function graphqlContext(context: ExecutionContext): GraphQLContext | undefined {
  // Resolver arguments: (root, args, context, info).
  return context.getArgByIndex<GraphQLContext | undefined>(2)
}

/**
 * Authenticates the bearer token with the module's verifier, puts it on `request.auth`, and
 * enforces `@Public()`, `@OptionalAuth()`, `@Scopes()`, `@AnyScope()` and the claim rules
 * (`@ClaimEquals()`, `@ClaimIncludes()`, `@ClaimCheck()`), merged across the
 * method, its class and base classes (README, "Rules and inheritance"). Failures set
 * `WWW-Authenticate` (or `Retry-After`) and throw Nest's HTTP exception for the status, with
 * the keyward `code` in the body and the `KeywardError` as `cause`.
 *
 * @example
 * ```ts
 * @UseGuards(BearerAuthGuard) @Controller('orders') export class OrdersController {}
 * ```
 */
@Injectable()
@SetMetadata(GUARD_KEY, true)
export class BearerAuthGuard implements CanActivate {
  constructor(
    // Not read here (the rules are own-metadata lookups); kept for subclasses' own metadata.
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(KEYWARD_VERIFIER) protected readonly verifier: Verifier,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    // Not `async`: on a cached token the guard settles with the verifier's promise and one
    // `then`, and the route's rules are read once (rulesOfRoute), not on every request.
    const rules = rulesOfRoute(context.getClass(), context.getHandler())
    if (rules.public) return Promise.resolve(true)
    let request
    try {
      request = this.getRequest(context)
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- getRequest's error as thrown (a TypeError), passed on unchanged
      return Promise.reject(error)
    }
    return this.verifier.authenticate(bearerRequest(request), rules.authenticate).then(
      (auth) => this.#authorize(context, request, rules, auth),
      (error: unknown) => this.#fail(context, error),
    )
  }

  /**
   * Puts the token on the request, then enforces the route's scope and claim rules. Scope and
   * claim rules imply authentication: on an optional route they turn a missing token into a
   * 401. Method, class and base-class scope rules are one check, so one challenge names every
   * scope; then the claim rules, in order (one may answer later).
   */
  #authorize(
    context: ExecutionContext,
    request: KeywardRequest,
    rules: RouteRules,
    auth: VerifiedToken | undefined,
  ): boolean | Promise<boolean> {
    request.auth = auth
    const { challenge } = this.verifier
    if (auth === undefined) challenges.set(request, challenge)
    try {
      rules.scopeCheck?.(auth, challenge)
    } catch (error) {
      return this.#fail(context, error)
    }
    if (rules.otherChecks.length === 0) return true
    return this.#claimChecks(context, rules.otherChecks, auth)
  }

  async #claimChecks(
    context: ExecutionContext,
    checks: RouteRules['otherChecks'],
    auth: VerifiedToken | undefined,
  ): Promise<boolean> {
    try {
      for (const check of checks) await check(auth, this.verifier.challenge)
    } catch (error) {
      return this.#fail(context, error)
    }
    return true
  }

  /** A `KeywardError` sets its headers and becomes Nest's exception; anything else is rethrown. */
  #fail(context: ExecutionContext, error: unknown): never {
    if (!isKeywardError(error)) throw error
    setResponseHeaders(this.getResponse(context), error.headers)
    throw this.toException(error)
  }

  /**
   * The request to authenticate and annotate: the HTTP request, or for a GraphQL resolver
   * (`@nestjs/graphql`) the `req` of its context, the resolver's third argument. Override for
   * other transports, or a GraphQL context that keeps the request elsewhere. A GraphQL context
   * without one fails the request (never an accept).
   */
  protected getRequest(context: ExecutionContext): KeywardRequest {
    if (context.getType<string>() === 'graphql') {
      const request = graphqlContext(context)?.req
      if (request === undefined) {
        throw new TypeError(
          'BearerAuthGuard found no request in the GraphQL context (context.req): override getRequest',
        )
      }
      return request
    }
    // HTTP's first argument, what `switchToHttp().getRequest()` answers, without the three
    // closures `switchToHttp()` assigns to the context on every call.
    return context.getArgByIndex<KeywardRequest>(0)
  }

  /**
   * Where challenge headers go: the HTTP response, or the GraphQL context's `res` (Express's
   * `req.res` otherwise); `undefined` skips them.
   */
  protected getResponse(context: ExecutionContext): KeywardResponse | undefined {
    const type = context.getType<string>()
    if (type === 'graphql') {
      const graphql = graphqlContext(context)
      return graphql?.res ?? graphql?.req?.res
    }
    return type === 'http' ? context.switchToHttp().getResponse<KeywardResponse>() : undefined
  }

  /** The Nest exception thrown for a failure; override for another body. */
  protected toException(error: KeywardError): HttpException {
    return keywardException(error)
  }
}
