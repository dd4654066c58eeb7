// Issue 20: a keyward rule that no BearerAuthGuard enforces stops the application at start-up
// (or, with `unguardedRoutes: 'warn'`, is logged), instead of answering 200 to anyone.
import {
  Controller,
  Get,
  Injectable,
  Module,
  Post,
  Scope,
  UseGuards,
  type INestApplication,
  type LoggerService,
  type Provider,
  type Type,
} from '@nestjs/common'
import { APP_GUARD, Reflector } from '@nestjs/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AnyScope,
  Auth,
  BearerAuth,
  BearerAuthGuard,
  KEYWARD_VERIFIER,
  KeywardModule,
  OptionalAuth,
  Public,
  Scopes,
  type VerifiedToken,
  type Verifier,
  type VerifierOptions,
} from '../src/index.js'
import { get, platforms, startApp, startError, type Platform } from './nest-app.js'

/** What an application adds on top of the bare guard: still a BearerAuthGuard. */
@Injectable()
class AuditedBearerAuthGuard extends BearerAuthGuard {}

@Controller()
class UnguardedController {
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@UseGuards(BearerAuthGuard)
@Controller()
class ClassGuardedController {
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@Controller()
class MethodGuardedController {
  @UseGuards(BearerAuthGuard)
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@UseGuards(AuditedBearerAuthGuard)
@Controller()
class SubclassGuardedController {
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@UseGuards(BearerAuthGuard)
class GuardedBase {}

@Controller()
class InheritsGuardController extends GuardedBase {
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@BearerAuth()
@Controller()
class BearerAuthController {
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@Controller()
class BearerAuthMethodController {
  @BearerAuth('admin')
  @Get('admin')
  admin() {
    return { secret: true }
  }
}

@Scopes('read')
@Controller('class-scoped')
class ClassScopedController {
  @Get()
  list() {
    return { ok: true }
  }
}

@Controller('rules')
class RulesController {
  @Get('plain')
  plain() {
    return { ok: true }
  }

  @Public()
  @Get('public')
  open() {
    return { ok: true }
  }

  @AnyScope('a', 'b')
  @Get('any')
  any() {
    return { ok: true }
  }

  @OptionalAuth()
  @Get('optional')
  optional() {
    return { ok: true }
  }

  @Get('auth')
  auth(@Auth() auth: VerifiedToken | undefined) {
    return { sub: auth?.subject }
  }

  @Get('field')
  field(@Auth('subject') sub: string | undefined) {
    return { sub }
  }

  @Scopes('x')
  @Post('scoped')
  scoped() {
    return { ok: true }
  }

  helper() {
    // Not a route: no HTTP method decorator.
  }
}

const UNGUARDED_RULES = [
  'GET /class-scoped (ClassScopedController.list)',
  'GET /rules/any (RulesController.any)',
  'GET /rules/optional (RulesController.optional)',
  'GET /rules/auth (RulesController.auth)',
  'GET /rules/field (RulesController.field)',
  'POST /rules/scoped (RulesController.scoped)',
]

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

function appModule(
  controllers: Type[],
  providers: Provider[] = [],
  unguardedRoutes?: 'error' | 'warn',
): Type {
  @Module({
    imports: [KeywardModule.forRoot({ ...options, unguardedRoutes })],
    controllers,
    providers,
  })
  class AppModule {}
  return AppModule
}

/** Captures Nest's warnings; everything else is dropped. */
function warningLogger(warnings: [message: unknown, context: unknown][]): LoggerService {
  const drop = () => undefined
  return {
    log: drop,
    error: drop,
    debug: drop,
    verbose: drop,
    fatal: drop,
    warn: (message: unknown, context?: unknown) => warnings.push([message, context]),
  }
}

const useGlobalGuards = (app: INestApplication) => {
  app.useGlobalGuards(
    new BearerAuthGuard(app.get(Reflector), app.get<string, Verifier>(KEYWARD_VERIFIER)),
  )
}

interface Coverage {
  readonly controller: Type
  readonly providers?: Provider[]
  readonly configure?: (app: INestApplication) => void
}

const covered: [string, Coverage][] = [
  [
    'a global guard (APP_GUARD)',
    {
      controller: UnguardedController,
      providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
    },
  ],
  [
    'a request-scoped global guard (APP_GUARD)',
    {
      controller: UnguardedController,
      providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard, scope: Scope.REQUEST }],
    },
  ],
  [
    'a global guard subclass (APP_GUARD)',
    {
      controller: UnguardedController,
      providers: [{ provide: APP_GUARD, useClass: AuditedBearerAuthGuard }],
    },
  ],
  [
    'a global guard (app.useGlobalGuards before listen)',
    { controller: UnguardedController, configure: useGlobalGuards },
  ],
  ['@UseGuards(BearerAuthGuard) on the class', { controller: ClassGuardedController }],
  ['@UseGuards(BearerAuthGuard) on the method', { controller: MethodGuardedController }],
  ['@UseGuards() with a guard subclass', { controller: SubclassGuardedController }],
  ['@UseGuards(BearerAuthGuard) on a base class', { controller: InheritsGuardController }],
  ['@BearerAuth() on the class', { controller: BearerAuthController }],
  ['@BearerAuth(scope) on the method', { controller: BearerAuthMethodController }],
]

describe.each(platforms)('routes with keyward rules on %s', (platform: Platform) => {
  it('refuse to start when no BearerAuthGuard covers them, naming the route', async () => {
    const error = await startError(appModule([UnguardedController]), platform)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      code: 'unguarded_routes',
      routes: ['GET /admin (UnguardedController.admin)'],
    })
  })

  it('are named one by one, for every kind of rule, class-level and method-level', async () => {
    const error = await startError(appModule([ClassScopedController, RulesController]), platform)
    expect(error).toMatchObject({ code: 'unguarded_routes' })
    expect([...(error as { routes: string[] }).routes].sort()).toEqual([...UNGUARDED_RULES].sort())
  })

  it('start when only routes without rules, or @Public() ones, are unguarded', async () => {
    @Controller()
    class OpenController {
      @Get('plain')
      plain() {
        return { ok: true }
      }

      @Public()
      @Get('public')
      open() {
        return { ok: true }
      }
    }
    const app = await startApp(appModule([OpenController]), platform)
    try {
      expect((await get(`${app.url}/plain`)).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it.each(covered)('start and enforce the rule when covered by %s', async (_name, coverage) => {
    const app = await startApp(appModule([coverage.controller], coverage.providers), platform, {
      ...(coverage.configure && { configure: coverage.configure }),
    })
    try {
      expect((await get(`${app.url}/admin`)).status).toBe(401)
      expect((await get(`${app.url}/admin`, issuer.mint({ scope: 'read' }))).status).toBe(403)
      expect((await get(`${app.url}/admin`, issuer.mint({ scope: 'admin' }))).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it("only log a warning for each, through Nest's Logger, with unguardedRoutes: 'warn'", async () => {
    const warnings: [unknown, unknown][] = []
    const app = await startApp(
      appModule([ClassScopedController, RulesController], [], 'warn'),
      platform,
      { logger: warningLogger(warnings) },
    )
    try {
      const ours = warnings.filter(([, context]) => context === 'KeywardModule')
      expect(ours).toHaveLength(UNGUARDED_RULES.length)
      for (const route of UNGUARDED_RULES) {
        expect(ours.some(([message]) => String(message).includes(route))).toBe(true)
      }
      // Nothing enforces the rule: the application said it enforces it some other way.
      expect((await get(`${app.url}/class-scoped`)).status).toBe(200)
    } finally {
      await app.close()
    }
  })
})
