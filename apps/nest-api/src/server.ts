import 'reflect-metadata'
import type { Server } from 'node:http'
import type { NestApplicationOptions } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { announce, LISTEN_HOST, type DemoApiConfig, type RunningApi } from '@keyward/demo-api-kit'
import { KEYWARD_VERIFIER, type Verifier } from '@keyward/nestjs'
import { AppModule } from './app.module.js'

/**
 * Starts the NestJS demo API on 127.0.0.1 and begins fetching keys.
 *
 * @example
 * ```ts
 * const api = await startServer(loadApiConfig(process.env, { service: 'nest-api', audience: AUDIENCE }))
 * ```
 */
export async function startServer(config: DemoApiConfig): Promise<RunningApi> {
  // Nest types its options as a class, but documents and reads plain objects.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const options: NestApplicationOptions = { logger: ['error', 'warn'] }
  const app = await NestFactory.create(AppModule.forConfig(config), options)
  await app.listen(config.port, LISTEN_HOST)
  const url = announce(config.service, (app.getHttpServer() as Server).address())
  // Keys now rather than on the first request; a failure is logged by the fetch log.
  app
    .get<string, Verifier>(KEYWARD_VERIFIER)
    .warmup()
    .catch(() => undefined)
  return {
    url,
    async close() {
      // Runs KeywardModule's shutdown hook, which closes the verifier.
      await app.close()
    },
  }
}
