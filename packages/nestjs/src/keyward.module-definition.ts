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

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<VerifierOptions>({ moduleName: 'Keyward' })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createKeywardOptions')
    // `isGlobal` is a module-definition extra: Nest strips it before the options reach core.
    .setExtras({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build()
