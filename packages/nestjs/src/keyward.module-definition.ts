import { ConfigurableModuleBuilder } from '@nestjs/common'
import type { VerifierOptions } from '@keyward/core'

/**
 * Injection token of the module's `Verifier`: one per `KeywardModule` import, closed on shutdown.
 *
 * @example
 * ```ts
 * constructor(@Inject(KEYWARD_VERIFIER) private readonly verifier: Verifier) {}
 * ```
 */
export const KEYWARD_VERIFIER = 'KEYWARD_VERIFIER'

/** Internal: the validated `unguardedRoutes` of this import. */
export const UNGUARDED_ROUTES = 'KEYWARD_UNGUARDED_ROUTES'

/**
 * The module's own options, beside core's `VerifierOptions` in `forRoot` and beside `useFactory`
 * in `forRootAsync`. Nest strips them before the options reach `createVerifier`.
 */
export interface KeywardModuleExtras {
  /**
   * Register the module globally, so guards in every module can use its verifier.
   * @defaultValue `false`
   */
  isGlobal: boolean
  /**
   * What a route with keyward rules (`@Scopes`, `@AnyScope`, `@OptionalAuth`, `@Auth()`) that
   * no `BearerAuthGuard` covers does at start-up: `'error'` fails the start naming each route;
   * `'warn'` logs each through Nest's `Logger`, for apps that enforce the rules another way.
   * @defaultValue `'error'`
   */
  unguardedRoutes: 'error' | 'warn'
}

function unguardedRoutes(value: unknown): 'error' | 'warn' {
  if (value === undefined) return 'error'
  if (value === 'error' || value === 'warn') return value
  throw new TypeError('"unguardedRoutes" must be "error" or "warn"')
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<VerifierOptions>({ moduleName: 'Keyward' })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createKeywardOptions')
    .setExtras<KeywardModuleExtras>(
      { isGlobal: false, unguardedRoutes: 'error' },
      (definition, extras) => ({
        ...definition,
        global: extras.isGlobal,
        providers: [
          ...(definition.providers ?? []),
          { provide: UNGUARDED_ROUTES, useValue: unguardedRoutes(extras.unguardedRoutes) },
        ],
      }),
    )
    .build()
