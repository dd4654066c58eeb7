import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common'
import { DiscoveryModule } from '@nestjs/core'
import { createVerifier, type Verifier, type VerifierOptions } from '@keyward/core'
import { KeywardExplorer } from './keyward.explorer.js'
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  KEYWARD_VERIFIER,
  MODULE_OPTIONS_TOKEN,
  OPTIONS_TYPE,
} from './keyward.module-definition.js'

/** Options of `KeywardModule.forRoot`: core's `VerifierOptions`, `isGlobal`, `unguardedRoutes`. */
export type KeywardModuleOptions = typeof OPTIONS_TYPE
/** Options of `KeywardModule.forRootAsync`: `useFactory` + `inject`, `useClass` or `useExisting`. */
export type KeywardModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE

/**
 * keyward's operator lines (keys that cannot be loaded, the first `iss`/`aud` refusal) go
 * through Nest's `Logger`, so they follow the app's logger, unless `logger` is given. Anything
 * else reaches core as it is, which validates it.
 */
function withNestLogger(options: VerifierOptions): VerifierOptions {
  if (typeof options !== 'object' || (options as object | null) === null) return options
  if ('logger' in options && options.logger !== undefined) return options
  return { ...options, logger: new Logger('Keyward') }
}

/**
 * Creates one verifier from the options (validated at boot) and provides it as
 * {@link KEYWARD_VERIFIER}, its operator lines going to Nest's `Logger` unless `logger` is
 * given; closes it when the application shuts down. At start-up, refuses
 * routes whose keyward rules no `BearerAuthGuard` enforces (see `unguardedRoutes`).
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [KeywardModule.forRoot({ issuer, audience, jwksUri })],
 *   providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    KeywardExplorer,
    {
      provide: KEYWARD_VERIFIER,
      useFactory: (options: VerifierOptions) => createVerifier(withNestLogger(options)),
      inject: [MODULE_OPTIONS_TOKEN],
    },
  ],
  exports: [KEYWARD_VERIFIER],
})
export class KeywardModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(KEYWARD_VERIFIER) private readonly verifier: Verifier) {
    super()
  }

  onApplicationShutdown(): void {
    this.verifier.close()
  }
}
