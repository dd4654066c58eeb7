import { Inject, Injectable, Logger, RequestMethod, type OnModuleInit } from '@nestjs/common'
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js'
import { DiscoveryService, MetadataScanner, ModuleRef, type ApplicationConfig } from '@nestjs/core'
import { isBearerAuthGuard } from './bearer-auth.guard.js'
import { AUTH_PARAM_KEY, OptionalAuth, Public, SCOPES_KEY } from './keyward.decorators.js'
import { UNGUARDED_ROUTES } from './keyward.module-definition.js'
import { rulesOfRoute } from './keyward.rules.js'

const FIX =
  'Register BearerAuthGuard for every route ({ provide: APP_GUARD, useClass: BearerAuthGuard }) ' +
  'or put @BearerAuth() on the controller or route. If another guard enforces these rules, ' +
  "pass unguardedRoutes: 'warn' to KeywardModule.forRoot()."

/** `GET /orders/:id (OrdersController.get)`: the first path, without the global prefix. */
function routeName(type: { name: string }, name: string, handler: object): string {
  const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod]
  const paths = [type, handler].map((target) => {
    const path = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined
    return [path ?? ''].flat()[0]
  })
  const path = paths.join('/').split('/').filter(Boolean).join('/')
  return `${method} /${path} (${type.name}.${name})`
}

const RULE_KEYS = [SCOPES_KEY, Public.KEY, OptionalAuth.KEY]

/**
 * Whether a provider's method is a handler with a keyward rule: a rule on the method itself
 * (`@Scopes`, `@Public`, `@OptionalAuth`, an `@Auth()` parameter), or a class rule on a method
 * some decorator made a handler (`@Query`, `@Mutation`, `@SubscribeMessage` leave metadata on
 * it). A service's plain methods carry neither.
 */
function hasKeywardRule(type: object, name: string, handler: object): boolean {
  if (RULE_KEYS.some((key) => Reflect.getOwnMetadata(key, handler) !== undefined)) return true
  if (Reflect.getMetadata(AUTH_PARAM_KEY, type, name) === true) return true
  const classRules = RULE_KEYS.some((key) => Reflect.getOwnMetadata(key, type) !== undefined)
  return classRules && Reflect.getOwnMetadataKeys(handler).length > 0
}

/** A start-up error with a stable `code` and the `routes` it names. */
function bootError(code: string, routes: Set<string>, summary: string, fix: string): Error {
  const list = [...routes]
  const message = `keyward: ${summary}:\n  ${list.join('\n  ')}\n${fix}`
  return Object.assign(new Error(message), { code, routes: list })
}

/**
 * At start-up, checks every controller route and every provider method with a keyward rule (a
 * GraphQL resolver, a gateway handler): a keyward rule that no `BearerAuthGuard` covers
 * fails the start (or is logged, `unguardedRoutes: 'warn'`), as does `@Public()` combined with
 * a scope rule. Runs in `onModuleInit`, after `app.useGlobalGuards()` and before `listen`.
 */
@Injectable()
export class KeywardExplorer implements OnModuleInit {
  private readonly logger = new Logger('KeywardModule')

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(UNGUARDED_ROUTES) private readonly unguardedRoutes: 'error' | 'warn',
  ) {}

  onModuleInit(): void {
    const global = this.globalGuards().some(isBearerAuthGuard)
    const conflicts = new Set<string>()
    const unguarded = new Set<string>()
    const check = (type: object, name: string, handler: object, label: string): void => {
      const rules = rulesOfRoute(type, handler)
      if (rules.conflict) conflicts.add(label)
      const enforced =
        rules.checks.length > 0 ||
        rules.optional ||
        Reflect.getMetadata(AUTH_PARAM_KEY, type, name) === true
      const guarded = [type, handler].some((target) =>
        ((Reflect.getMetadata(GUARDS_METADATA, target) ?? []) as unknown[]).some(isBearerAuthGuard),
      )
      if (!rules.public && enforced && !global && !guarded) unguarded.add(label)
    }
    const controllers = new Set<unknown>()
    for (const { metatype: type } of this.discovery.getControllers()) {
      if (typeof type !== 'function') continue
      controllers.add(type)
      const prototype = type.prototype as Record<string, object>
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name]
        // Nest's own test for a route: a path on the handler.
        if (handler === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
          continue
        }
        check(type, name, handler, routeName(type, name, handler))
      }
    }
    // GraphQL resolvers (and other handlers Nest guards, such as gateways) are providers: a
    // method with a keyward rule is held to the same standard. A provider without any rule
    // passes untouched.
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype
      if (typeof type !== 'function' || wrapper.inject !== undefined || controllers.has(type)) {
        continue
      }
      const prototype = type.prototype as Record<string, object> | undefined
      if (prototype === undefined) continue
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name]
        if (typeof handler !== 'function') continue
        if (!hasKeywardRule(type, name, handler)) continue
        check(type, name, handler, `${type.name}.${name}`)
      }
    }
    if (conflicts.size > 0) {
      throw bootError(
        'conflicting_rules',
        conflicts,
        '@Public() and a scope or claim rule apply to these routes',
        'Keep one: a scope or claim rule needs a token. Move public routes to a controller without such rules.',
      )
    }
    if (unguarded.size === 0) return
    if (this.unguardedRoutes === 'error') {
      throw bootError(
        'unguarded_routes',
        unguarded,
        'no BearerAuthGuard enforces the keyward rules of these routes',
        FIX,
      )
    }
    for (const route of unguarded) {
      this.logger.warn(`${route}: keyward rules that no BearerAuthGuard enforces`)
    }
  }

  /**
   * Nest keeps global guards, from `APP_GUARD` and `app.useGlobalGuards()`, in its
   * `ApplicationConfig`, which only the container (held by `ModuleRef`) reaches. Unreachable,
   * no guard is global: the scan fails closed.
   */
  private globalGuards(): unknown[] {
    const { container } = this.moduleRef as unknown as {
      container?: { applicationConfig?: ApplicationConfig }
    }
    const config = container?.applicationConfig
    if (config === undefined) return []
    return [
      ...config.getGlobalGuards(),
      ...config.getGlobalRequestGuards().map((wrapper) => wrapper.metatype),
    ]
  }
}
