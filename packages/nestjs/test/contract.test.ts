import { Controller, Get, Module } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import core from '@nestjs/core/package.json' with { type: 'json' }
import { runAdapterContract, type ContractAppFactory } from '@keyward/test-utils'
import {
  AnyScope,
  Auth,
  BearerAuthGuard,
  KeywardModule,
  OptionalAuth,
  Public,
  Scopes,
  type VerifiedToken,
  type VerifierOptions,
} from '../src/index.js'
import { platforms, startApp, type Platform } from './nest-app.js'

@Controller()
class ContractController {
  @Public()
  @Get('public')
  open() {
    return { ok: true }
  }

  @Get('protected')
  protected(@Auth() auth: VerifiedToken) {
    return { sub: auth.subject, clientId: auth.clientId, scopes: auth.scopes }
  }

  @Scopes('write:things')
  @Get('write')
  write() {
    return { ok: true }
  }

  @AnyScope('admin', 'write:things')
  @Get('any')
  any() {
    return { ok: true }
  }

  @OptionalAuth()
  @Get('optional')
  optional(@Auth() auth: VerifiedToken | undefined) {
    return auth === undefined
      ? { authenticated: false }
      : { authenticated: true, sub: auth.subject }
  }
}

/** The global-guard set-up of the README: APP_GUARD, @Public() on /public. */
function contractFactory(platform: Platform): ContractAppFactory {
  return {
    // The Nest major comes from the same resolution as the code under test (see vitest configs).
    name: `nestjs@${core.version.split('.')[0] ?? '?'} on ${platform}`,
    async start(verifierOptions: VerifierOptions) {
      @Module({
        imports: [KeywardModule.forRoot(verifierOptions)],
        controllers: [ContractController],
        providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
      })
      class ContractModule {}
      const app = await startApp(ContractModule, platform)
      return { url: app.url, close: () => app.close() }
    },
  }
}

for (const platform of platforms) runAdapterContract(contractFactory(platform))
