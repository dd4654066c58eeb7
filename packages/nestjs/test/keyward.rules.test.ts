// How decorator combinations add up under a global BearerAuthGuard (issue 13, finding 3): rules
// merge across method, class and base classes and are never overwritten; a scope rule implies
// authentication; a relaxation (@Public, @OptionalAuth) on a class is not inherited.
import { applyDecorators, Controller, Get, Module } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AnyScope,
  Auth,
  BearerAuthGuard,
  ClaimCheck,
  ClaimEquals,
  ClaimIncludes,
  KeywardModule,
  OptionalAuth,
  Public,
  Scopes,
  type VerifiedToken,
  type VerifierOptions,
} from '../src/index.js'
import { get, platforms, startApp, startError, type Platform, type RunningApp } from './nest-app.js'

/** A composite decorator, as apps build them. */
const AdminOnly = () => applyDecorators(Scopes('admin'))

@Public()
@Controller('public-class')
class PublicClassController {
  @Get('open')
  open() {
    return { ok: true }
  }

  @Scopes('admin')
  @Get('admin')
  admin() {
    return { ok: true }
  }
}

@Controller('stacked')
class StackedController {
  @Scopes('a')
  @Scopes('b')
  @Get('all')
  all() {
    return { ok: true }
  }

  @AnyScope('a', 'x')
  @AnyScope('b', 'y')
  @Get('any')
  any() {
    return { ok: true }
  }

  @AdminOnly()
  @Scopes('write')
  @Get('composite')
  composite() {
    return { ok: true }
  }
}

@Public()
@Controller('public-base')
class PublicBase {
  @Get()
  list() {
    return { ok: true }
  }
}

@Controller('public-sub')
class PublicSub extends PublicBase {}

@Scopes('admin')
@Controller('public-sub-scoped')
class ScopedPublicSub extends PublicBase {}

@OptionalAuth()
@Controller('optional-base')
class OptionalBase {
  @Get()
  feed(@Auth() auth: VerifiedToken | undefined) {
    return { authenticated: auth !== undefined }
  }
}

@Controller('optional-sub')
class OptionalSub extends OptionalBase {}

@Scopes('a')
@Controller('scoped-base')
class ScopedBase {
  @Get()
  list() {
    return { ok: true }
  }

  @Scopes('m')
  @Get('method')
  method() {
    return { ok: true }
  }
}

@Scopes('b')
@Controller('scoped-sub')
class ScopedSub extends ScopedBase {}

@ClaimEquals('org_id', 'acme')
@Controller('claims-base')
class ClaimsBase {
  @Scopes('admin')
  @ClaimIncludes('roles', 'editor')
  @Get()
  list() {
    return { ok: true }
  }
}

@ClaimCheck((claims) => Promise.resolve(claims.acr === 'mfa'))
@Controller('claims-sub')
class ClaimsSub extends ClaimsBase {}

function appModule(options: VerifierOptions, controllers: (new () => object)[]) {
  @Module({
    imports: [KeywardModule.forRoot(options)],
    controllers,
    providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
  })
  class AppModule {}
  return AppModule
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

describe.each(platforms)('decorator combinations under a global guard on %s', (platform) => {
  let app: RunningApp
  const status = async (path: string, scope?: string) =>
    (await get(`${app.url}/${path}`, scope === undefined ? undefined : issuer.mint({ scope })))
      .status

  beforeAll(async () => {
    app = await startApp(
      appModule(options, [
        PublicClassController,
        StackedController,
        PublicBase,
        PublicSub,
        ScopedPublicSub,
        OptionalBase,
        OptionalSub,
        ScopedBase,
        ScopedSub,
        ClaimsBase,
        ClaimsSub,
      ]),
      platform,
    )
  })

  afterAll(async () => {
    await app.close()
  })

  it('lets a method scope rule win over a class-level @Public(): no token is a 401', async () => {
    const answer = await get(`${app.url}/public-class/admin`)
    expect(answer.status).toBe(401)
    expect(answer.body).toMatchObject({ code: 'missing_token' })
    expect(await status('public-class/admin', 'read')).toBe(403)
    expect(await status('public-class/admin', 'admin')).toBe(200)
  })

  it('keeps the other routes of a @Public() controller public', async () => {
    expect(await status('public-class/open')).toBe(200)
  })

  it('applies every @Scopes() stacked on one method', async () => {
    expect(await status('stacked/all', 'a')).toBe(403)
    expect(await status('stacked/all', 'b')).toBe(403)
    expect(await status('stacked/all', 'a b')).toBe(200)
  })

  it('applies every @AnyScope() stacked on one method', async () => {
    expect(await status('stacked/any', 'a')).toBe(403)
    expect(await status('stacked/any', 'y')).toBe(403)
    expect(await status('stacked/any', 'x y')).toBe(200)
  })

  it('applies a composite decorator and the route’s own rule together', async () => {
    expect(await status('stacked/composite', 'admin')).toBe(403)
    expect(await status('stacked/composite', 'write')).toBe(403)
    expect(await status('stacked/composite', 'admin write')).toBe(200)
  })

  it('does not pass a base class’s @Public() on to a subclass', async () => {
    expect(await status('public-base')).toBe(200)
    expect(await status('public-sub')).toBe(401)
    expect(await status('public-sub', 'any')).toBe(200)
  })

  it('requires the scopes of a subclass of a @Public() controller', async () => {
    expect(await status('public-sub-scoped')).toBe(401)
    expect(await status('public-sub-scoped', 'other')).toBe(403)
    expect(await status('public-sub-scoped', 'admin')).toBe(200)
  })

  it('does not pass a base class’s @OptionalAuth() on to a subclass', async () => {
    const base = await get(`${app.url}/optional-base`)
    expect(base.body).toEqual({ authenticated: false })
    expect(await status('optional-sub')).toBe(401)
  })

  it('adds a subclass’s class-level @Scopes() to the base class’s', async () => {
    expect(await status('scoped-base', 'a')).toBe(200)
    expect(await status('scoped-sub', 'b')).toBe(403)
    expect(await status('scoped-sub', 'a')).toBe(403)
    expect(await status('scoped-sub', 'a b')).toBe(200)
  })

  it('merges claim rules with scope rules across method, class and base class', async () => {
    const claimed = async (path: string, claims: Record<string, unknown>) =>
      (await get(`${app.url}/${path}`, issuer.mint({ scope: 'admin', ...claims }))).status
    const base = { org_id: 'acme', roles: ['editor'] }
    expect(await claimed('claims-base', base)).toBe(200)
    expect(await claimed('claims-base', { ...base, scope: 'read' })).toBe(403)
    expect(await claimed('claims-base', { ...base, org_id: 'other' })).toBe(401)
    expect(await claimed('claims-base', { ...base, roles: ['viewer'] })).toBe(401)
    expect(await claimed('claims-sub', base)).toBe(401)
    expect(await claimed('claims-sub', { ...base, acr: 'mfa' })).toBe(200)
    expect(await claimed('claims-sub', { ...base, acr: 'mfa', org_id: 'other' })).toBe(401)
    const refused = await get(
      `${app.url}/claims-sub`,
      issuer.mint({ scope: 'admin', ...base, acr: 'pwd' }),
    )
    expect(refused.body).toMatchObject({ code: 'invalid_claim', statusCode: 401 })
  })

  it('applies an inherited method’s rules with every class rule of the subclass', async () => {
    expect(await status('scoped-base/method', 'a m')).toBe(200)
    expect(await status('scoped-sub/method', 'a b')).toBe(403)
    expect(await status('scoped-sub/method', 'b m')).toBe(403)
    expect(await status('scoped-sub/method', 'a m')).toBe(403)
    expect(await status('scoped-sub/method', 'a b m')).toBe(200)
  })
})

@Scopes('a')
@Controller('orders')
class PublicMethodUnderScopedClass {
  @Public()
  @Get('health')
  health() {
    return { ok: true }
  }
}

@Controller('same-method')
class PublicAndScopesOnOneMethod {
  @Public()
  @Scopes('a')
  @Get()
  both() {
    return { ok: true }
  }
}

@Public()
@Scopes('a')
@Controller('same-class')
class PublicAndScopesOnOneClass {
  @Get()
  list() {
    return { ok: true }
  }
}

@Controller('health-base')
class HealthBase {
  @Public()
  @Get('health')
  health() {
    return { ok: true }
  }
}

@Scopes('admin')
@Controller('admin')
class ScopedSubOfPublicMethod extends HealthBase {}

@Public()
@Controller('public-sub-of-scoped')
class PublicSubOfScoped extends ScopedBase {}

@Controller('public-claim')
class PublicAndClaimOnOneMethod {
  @Public()
  @ClaimEquals('org_id', 'acme')
  @Get()
  both() {
    return { ok: true }
  }
}

const conflicts: [string, new () => object, string[]][] = [
  [
    '@Public() and a claim rule on one method',
    PublicAndClaimOnOneMethod,
    ['GET /public-claim (PublicAndClaimOnOneMethod.both)'],
  ],
  [
    'a method-level @Public() under a class scope rule',
    PublicMethodUnderScopedClass,
    ['GET /orders/health (PublicMethodUnderScopedClass.health)'],
  ],
  [
    '@Public() and a scope rule on one method',
    PublicAndScopesOnOneMethod,
    ['GET /same-method (PublicAndScopesOnOneMethod.both)'],
  ],
  [
    '@Public() and a scope rule on one class',
    PublicAndScopesOnOneClass,
    ['GET /same-class (PublicAndScopesOnOneClass.list)'],
  ],
  [
    'an inherited @Public() method under a subclass scope rule',
    ScopedSubOfPublicMethod,
    ['GET /admin/health (ScopedSubOfPublicMethod.health)'],
  ],
  [
    'a class-level @Public() under a base class scope rule',
    PublicSubOfScoped,
    [
      'GET /public-sub-of-scoped (PublicSubOfScoped.list)',
      'GET /public-sub-of-scoped/method (PublicSubOfScoped.method)',
    ],
  ],
]

describe.each(platforms)('contradictory rules on %s', (platform: Platform) => {
  it.each(conflicts)('refuse to start: %s', async (_name, controller, routes) => {
    const error = await startError(appModule(options, [controller]), platform)
    expect(error).toMatchObject({ code: 'conflicting_rules', routes })
  })

  it('refuse to start even when unguarded routes only warn', async () => {
    @Module({
      imports: [KeywardModule.forRoot({ ...options, unguardedRoutes: 'warn' })],
      controllers: [PublicAndScopesOnOneMethod],
    })
    class WarnModule {}
    const error = await startError(WarnModule, platform)
    expect(error).toMatchObject({ code: 'conflicting_rules' })
  })
})
