import { Module, type DynamicModule } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import type { DemoApiConfig } from '@keyward/demo-api-kit'
import { BearerAuthGuard, KeywardModule } from '@keyward/nestjs'
import { API_CONFIG, NotesController } from './notes.controller.js'

/** The demo API's audience, unless `AUDIENCE` says otherwise. */
export const AUDIENCE = 'urn:keyward:demo:nest-api'

/**
 * The demo API on NestJS: keyward's guard on every route (`APP_GUARD`), `@Public()` opt-outs.
 * Without the global guard, `KeywardModule` would refuse to start: nothing would enforce the
 * `@Scopes` and `@Auth()` of the notes routes.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule.forConfig(config))
 * ```
 */
@Module({})
export class AppModule {
  static forConfig(config: DemoApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [KeywardModule.forRoot(config.verifier)],
      controllers: [NotesController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
      ],
    }
  }
}
