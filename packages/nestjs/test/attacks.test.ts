// Attacks from keyward's core suite, through the Nest guard on Express and Fastify: status,
// exact WWW-Authenticate, no 500, and the protected handler never runs.
import { Controller, Get, Module } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { runAdapterAttacks, type AttackAppFactory } from '@keyward/adapter-tests'
import { BearerAuthGuard, KeywardModule, type VerifierOptions } from '../src/index.js'
import { platforms, startApp, type Platform } from './nest-app.js'

function attackApp(platform: Platform): AttackAppFactory {
  return {
    name: `nestjs on ${platform}`,
    async start(verifierOptions: VerifierOptions) {
      let runs = 0
      @Controller()
      class AttackController {
        @Get('protected')
        protected() {
          runs++
          return { handled: true }
        }
      }
      @Module({
        imports: [KeywardModule.forRoot(verifierOptions)],
        controllers: [AttackController],
        providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
      })
      class AttackModule {}
      const app = await startApp(AttackModule, platform)
      return { url: app.url, handlerRuns: () => runs, close: () => app.close() }
    },
  }
}

for (const platform of platforms) runAdapterAttacks(attackApp(platform))
