import { Controller, Get, Injectable, Module, UseGuards, type LoggerService } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  Auth,
  BearerAuthGuard,
  KEYWARD_VERIFIER,
  KeywardModule,
  Scopes,
  type Verifier,
  type VerifierOptions,
} from '../src/index.js'
import { MODULE_OPTIONS_TOKEN } from '../src/keyward.module-definition.js'
import { get, platforms, quiet, quietRejecting, startApp, startError } from './nest-app.js'

const CONFIG = 'TEST_CONFIG'

/** Stands in for `@nestjs/config`: a module exporting settings read at boot. */
function configModule(settings: Record<string, string>) {
  @Module({ providers: [{ provide: CONFIG, useValue: settings }], exports: [CONFIG] })
  class ConfigModule {}
  return ConfigModule
}

@Controller('feature')
class FeatureController {
  @UseGuards(BearerAuthGuard)
  @Get()
  feature(@Auth('subject') sub: string | undefined) {
    return { sub }
  }
}

/** A keyward rule with no guard: start-up fails unless `unguardedRoutes` is `'warn'`. */
@Controller('unguarded')
class UnguardedController {
  @Scopes('admin')
  @Get()
  admin() {
    return { ok: true }
  }
}

let issuer: TestIssuer
let jwks: JwksServer
let options: VerifierOptions

beforeAll(async () => {
  issuer = await TestIssuer.create()
  jwks = await startJwksServer({ issuer })
  options = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: jwks.url }
})

afterAll(async () => {
  await jwks.close()
})

describe('KeywardModule', () => {
  it('provides a working verifier under KEYWARD_VERIFIER with forRoot()', async () => {
    @Module({ imports: [KeywardModule.forRoot(options)] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, quiet)
    try {
      const verifier = app.get<Verifier>(KEYWARD_VERIFIER)
      const auth = await verifier.verify(issuer.mint({ sub: 'user-1' }))
      expect(auth.subject).toBe('user-1')
    } finally {
      await app.close()
    }
  })

  it('builds the options with forRootAsync() from an injected provider of an imported module', async () => {
    const settings = { ISSUER: issuer.issuer, AUDIENCE: issuer.audience, JWKS_URI: jwks.url }
    const factory = vi.fn((config: Record<string, string>) => ({
      issuer: config.ISSUER!,
      audience: config.AUDIENCE!,
      jwksUri: config.JWKS_URI!,
    }))
    @Module({
      imports: [
        KeywardModule.forRootAsync({
          imports: [configModule(settings)],
          inject: [CONFIG],
          useFactory: factory,
        }),
      ],
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, quiet)
    try {
      expect(factory).toHaveBeenCalledExactlyOnceWith(settings)
      const auth = await app.get<Verifier>(KEYWARD_VERIFIER).verify(issuer.mint({ sub: 'user-2' }))
      expect(auth.subject).toBe('user-2')
    } finally {
      await app.close()
    }
  })

  it('builds the options with forRootAsync({ useClass }) through createKeywardOptions()', async () => {
    @Injectable()
    class KeywardConfig {
      createKeywardOptions(): VerifierOptions {
        return { ...options, realm: 'from-class' }
      }
    }
    @Module({ imports: [KeywardModule.forRootAsync({ useClass: KeywardConfig })] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, quiet)
    try {
      expect(app.get<Verifier>(KEYWARD_VERIFIER).challenge.realm).toBe('from-class')
    } finally {
      await app.close()
    }
  })

  it('fails at boot with a TypeError naming the option when the options are wrong', async () => {
    const wrong = { ...options, audience: undefined } as unknown as VerifierOptions
    @Module({ imports: [KeywardModule.forRoot(wrong)] })
    class AppModule {}
    await expect(NestFactory.createApplicationContext(AppModule, quietRejecting)).rejects.toThrow(
      /"audience"/,
    )
  })

  it('closes the verifier on shutdown, aborting a key fetch in flight', async () => {
    const signals: AbortSignal[] = []
    jwks.setFault({ kind: 'hang' })
    @Module({
      imports: [
        KeywardModule.forRoot({
          ...options,
          jwks: {
            fetch: (url, init) => {
              if (init.signal) signals.push(init.signal)
              return fetch(url, init)
            },
          },
        }),
      ],
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, quiet)
    try {
      const verifier = app.get<Verifier>(KEYWARD_VERIFIER)
      const close = vi.spyOn(verifier, 'close')
      void verifier.warmup().catch(() => undefined)
      await vi.waitFor(() => {
        expect(signals).toHaveLength(1)
      })
      expect(signals[0]!.aborted).toBe(false)
      await app.close()
      expect(close).toHaveBeenCalledOnce()
      expect(signals[0]!.aborted).toBe(true)
    } finally {
      jwks.setFault(null)
    }
  })

  it('gives each module instance its own verifier', async () => {
    @Module({
      imports: [KeywardModule.forRoot(options)],
      providers: [{ provide: 'FIRST', useFactory: (v: Verifier) => v, inject: [KEYWARD_VERIFIER] }],
    })
    class First {}
    @Module({
      imports: [KeywardModule.forRoot({ ...options, realm: 'second' })],
      providers: [
        { provide: 'SECOND', useFactory: (v: Verifier) => v, inject: [KEYWARD_VERIFIER] },
      ],
    })
    class Second {}
    @Module({ imports: [First, Second] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, quiet)
    try {
      const first = app.get<Verifier>('FIRST')
      const second = app.get<Verifier>('SECOND')
      expect(first).not.toBe(second)
      expect(first.challenge.realm).toBeUndefined()
      expect(second.challenge.realm).toBe('second')
    } finally {
      await app.close()
    }
  })

  describe.each(platforms)('with isGlobal on %s', (platform) => {
    it('serves guards in feature modules that do not import it', async () => {
      @Module({ controllers: [FeatureController] })
      class FeatureModule {}
      @Module({ imports: [KeywardModule.forRoot({ ...options, isGlobal: true }), FeatureModule] })
      class AppModule {}
      const app = await startApp(AppModule, platform)
      try {
        expect((await get(`${app.url}/feature`)).status).toBe(401)
        const answer = await get(`${app.url}/feature`, issuer.mint({ sub: 'user-3' }))
        expect(answer.body).toEqual({ sub: 'user-3' })
      } finally {
        await app.close()
      }
    })
  })

  describe.each(platforms)('shared as one forRoot() module on %s', (platform) => {
    it('serves guards in every feature module that imports it, with one verifier', async () => {
      // The README's pattern: the module built once, imported wherever the guard is used.
      const Keyward = KeywardModule.forRoot(options)
      @Controller('other')
      class OtherController {
        @UseGuards(BearerAuthGuard)
        @Get()
        other(@Auth('subject') sub: string | undefined) {
          return { sub }
        }
      }
      @Module({
        imports: [Keyward],
        controllers: [FeatureController],
        providers: [
          { provide: 'FIRST', useFactory: (v: Verifier) => v, inject: [KEYWARD_VERIFIER] },
        ],
      })
      class FeatureModule {}
      @Module({
        imports: [Keyward],
        controllers: [OtherController],
        providers: [
          { provide: 'SECOND', useFactory: (v: Verifier) => v, inject: [KEYWARD_VERIFIER] },
        ],
      })
      class OtherModule {}
      @Module({ imports: [FeatureModule, OtherModule] })
      class AppModule {}
      const before = jwks.jwksRequests
      const app = await startApp(AppModule, platform)
      try {
        expect(app.app.get('FIRST')).toBe(app.app.get('SECOND'))
        for (const path of ['feature', 'other']) {
          expect((await get(`${app.url}/${path}`)).status).toBe(401)
          const answer = await get(`${app.url}/${path}`, issuer.mint({ sub: path }))
          expect(answer.body).toEqual({ sub: path })
        }
        // One verifier, one key set: a second would have fetched the JWKS again.
        expect(jwks.jwksRequests - before).toBe(1)
      } finally {
        await app.close()
      }
    })
  })

  it("writes keyward's operator lines through the logger option, replacing Nest's Logger", async () => {
    const lines: string[] = []
    jwks.setFault({ kind: 'status', status: 404 })
    @Module({
      imports: [
        KeywardModule.forRoot({ ...options, logger: { warn: (line) => lines.push(line) } }),
      ],
    })
    class AppModule {}
    const nest: string[] = []
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => nest.push(String(message)),
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class
    const app = await NestFactory.createApplicationContext(AppModule, { logger })
    try {
      await expect(app.get<Verifier>(KEYWARD_VERIFIER).warmup()).rejects.toMatchObject({
        code: 'jwks_misconfigured',
      })
      expect(lines).toHaveLength(1)
      expect(nest).toEqual([])
    } finally {
      jwks.setFault(null)
      await app.close()
    }
  })

  it('is not global by default: a feature module without the import cannot build the guard', async () => {
    @Module({ controllers: [FeatureController] })
    class FeatureModule {}
    @Module({ imports: [KeywardModule.forRoot(options), FeatureModule] })
    class AppModule {}
    await expect(NestFactory.create(AppModule, quietRejecting)).rejects.toThrow(/KEYWARD_VERIFIER/)
  })

  it('injects with explicit tokens, so it needs no decorator metadata', () => {
    expect(Reflect.getMetadata('design:paramtypes', BearerAuthGuard)).toBeUndefined()
    expect(Reflect.getMetadata('self:paramtypes', BearerAuthGuard)).toHaveLength(2)
  })
})

describe('the unguardedRoutes option', () => {
  it('is a TypeError naming it, from forRoot and forRootAsync, unless "error" or "warn"', () => {
    const wrong = 'off' as 'warn'
    expect(() => KeywardModule.forRoot({ ...options, unguardedRoutes: wrong })).toThrow(TypeError)
    expect(() => KeywardModule.forRoot({ ...options, unguardedRoutes: wrong })).toThrow(
      /"unguardedRoutes"/,
    )
    expect(() =>
      KeywardModule.forRootAsync({ unguardedRoutes: wrong, useFactory: () => options }),
    ).toThrow(TypeError)
  })

  it('never reaches the verifier options, from forRoot or forRootAsync', async () => {
    for (const module of [
      KeywardModule.forRoot({ ...options, unguardedRoutes: 'warn', isGlobal: true }),
      KeywardModule.forRootAsync({ unguardedRoutes: 'warn', useFactory: () => options }),
    ]) {
      @Module({ imports: [module] })
      class AppModule {}
      const app = await NestFactory.createApplicationContext(AppModule, quiet)
      try {
        expect(app.get(MODULE_OPTIONS_TOKEN)).toEqual(options)
      } finally {
        await app.close()
      }
    }
  })

  it('is read beside useFactory in forRootAsync, and defaults to "error"', async () => {
    const asyncModule = (extras: { unguardedRoutes?: 'warn' }) => {
      @Module({
        imports: [KeywardModule.forRootAsync({ ...extras, useFactory: () => options })],
        controllers: [UnguardedController],
      })
      class AppModule {}
      return AppModule
    }
    expect(await startError(asyncModule({}), 'express')).toMatchObject({
      code: 'unguarded_routes',
    })
    const warnings: unknown[] = []
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(message),
    }
    const app = await startApp(asyncModule({ unguardedRoutes: 'warn' }), 'express', { logger })
    try {
      expect(
        warnings.filter((message) => String(message).includes('UnguardedController.admin')),
      ).toHaveLength(1)
    } finally {
      await app.close()
    }
  })
})
