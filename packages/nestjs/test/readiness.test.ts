import { readFile } from 'node:fs/promises'
import {
  Controller,
  Get,
  Inject,
  Logger,
  Module,
  ServiceUnavailableException,
  type LoggerService,
  type OnApplicationBootstrap,
} from '@nestjs/common'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  isKeywardError,
  KEYWARD_VERIFIER,
  KeywardModule,
  Public,
  type Verifier,
} from '../src/index.js'
import { get, startApp } from './nest-app.js'

// recipe:start readiness
@Controller()
export class HealthController implements OnApplicationBootstrap {
  private readonly logger = new Logger('Readiness')

  constructor(@Inject(KEYWARD_VERIFIER) private readonly verifier: Verifier) {}

  async onApplicationBootstrap() {
    // Fetch keys before traffic. A failure does not stop the start (keys load on a later
    // attempt; /ready answers 503 until then), but it is logged, with its code and reason.
    await this.verifier.warmup().catch((error: unknown) => {
      // `cause` names the URL and the HTTP status or network error (never a token).
      const code = isKeywardError(error) ? error.code : 'error'
      const cause = error instanceof Error ? error.cause : undefined
      const reason = cause instanceof Error ? cause.message : String(error)
      this.logger.error(`keys not loaded at start-up (${code}): ${reason}`)
    })
  }

  @Public()
  @Get('ready')
  ready() {
    const health = this.verifier.health()
    if (!health.ready) throw new ServiceUnavailableException(health)
    return health
  }
}
// recipe:end readiness

let issuer: TestIssuer
let jwks: JwksServer

beforeAll(async () => {
  issuer = await TestIssuer.create()
  jwks = await startJwksServer({ issuer })
})

afterAll(async () => {
  await jwks.close()
})

/** Nest's log lines by level; the app's logger is what `new Logger(...)` writes to. */
function capturingLogger() {
  const lines = { error: [] as string[], warn: [] as string[] }
  const logger: LoggerService = {
    log: () => undefined,
    error: (message: unknown) => lines.error.push(String(message)),
    warn: (message: unknown) => lines.warn.push(String(message)),
  }
  return { lines, logger }
}

function appModule() {
  @Module({
    imports: [
      KeywardModule.forRoot({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: jwks.url,
      }),
    ],
    controllers: [HealthController],
  })
  class AppModule {}
  return AppModule
}

describe('the readiness recipe', () => {
  it('logs why keys did not load at start-up, and answers /ready with 503 until they do', async () => {
    jwks.setFault({ kind: 'status', status: 404 })
    const { lines, logger } = capturingLogger()
    const app = await startApp(appModule(), 'express', { logger })
    try {
      expect(lines.error).toHaveLength(1)
      expect(lines.error[0]).toContain('(jwks_misconfigured)')
      expect(lines.error[0]).toContain(jwks.url)
      expect(lines.error[0]).toContain('404')
      // keyward's own line, through Nest's Logger by default.
      expect(lines.warn).toHaveLength(1)
      expect(lines.warn[0]).toContain('jwks_misconfigured')
      expect((await get(`${app.url}/ready`)).status).toBe(503)
      jwks.setFault(null)
      await app.app.get<Verifier>(KEYWARD_VERIFIER).refresh()
      expect((await get(`${app.url}/ready`)).status).toBe(200)
    } finally {
      jwks.setFault(null)
      await app.close()
    }
  })

  it('logs nothing when the keys load', async () => {
    const { lines, logger } = capturingLogger()
    const app = await startApp(appModule(), 'express', { logger })
    try {
      expect(lines).toEqual({ error: [], warn: [] })
      expect((await get(`${app.url}/ready`)).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('is in the README exactly as tested here', async () => {
    const source = await readFile(new URL(import.meta.url), 'utf8')
    const recipe = /\/\/ recipe:start readiness\n([\s\S]*?)\/\/ recipe:end readiness/.exec(
      source,
    )?.[1]
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    expect(recipe).toBeDefined()
    expect(readme).toContain(recipe)
  })
})
