import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common'
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
 * Creates one verifier from the options (validated at boot) and provides it as
 * {@link KEYWARD_VERIFIER}; closes it when the application shuts down. At start-up, refuses
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
      useFactory: (options: VerifierOptions) => createVerifier(options),
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
