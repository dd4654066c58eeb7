// What every adapter does over HTTP (challenges, scopes, optional and public routes, two
// Authorization lines, one shared verifier) is the adapter contract's, run through this guard on
// both platforms (test/contract.test.ts). What is Nest's own stays here: exception bodies with the
// keyward code, @Auth() fields, request.auth, class and method @Scopes(), the exception cause and
// @UseGuards().
import {
  Catch,
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  Inject,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common'
import { APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import type { Request } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Auth,
  BearerAuthGuard,
  isKeywardError,
  KeywardModule,
  Scopes,
  type VerifiedToken,
  type VerifierOptions,
} from '../src/index.js'
import { get, platforms, startApp, type RunningApp } from './nest-app.js'

@Controller()
class RoutesController {
  @Get('protected')
  protected(@Auth() auth: VerifiedToken, @Auth('subject') sub: string | undefined) {
    return { sub, clientId: auth.clientId, scopes: auth.scopes }
  }

  @Scopes('write:things')
  @Get('write')
  write() {
    return { ok: true }
  }

  @Get('request')
  request(@Req() req: Request) {
    // `auth` compiles only through the package's Express augmentation; on Fastify the request is
    // a FastifyRequest at run time, and the guard sets the same property on it.
    return { sub: req.auth?.subject }
  }
}

@Scopes('read:things')
@Controller('scoped')
class ScopedController {
  @Get('class')
  classOnly() {
    return { ok: true }
  }

  @Scopes('write:things')
  @Get('both')
  both() {
    return { ok: true }
  }
}

function appModule(options: VerifierOptions) {
  @Module({
    imports: [KeywardModule.forRoot(options)],
    controllers: [RoutesController, ScopedController],
    providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
  })
  class AppModule {}
  return AppModule
}

describe.each(platforms)('BearerAuthGuard as APP_GUARD on %s', (platform) => {
  let issuer: TestIssuer
  let jwks: JwksServer
  let app: RunningApp
  let options: VerifierOptions

  beforeAll(async () => {
    issuer = await TestIssuer.create()
    jwks = await startJwksServer({ issuer })
    options = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: jwks.url }
    app = await startApp(appModule(options), platform)
  })

  afterAll(async () => {
    await app.close()
    await jwks.close()
  })

  it('answers 401 with a bare challenge and code missing_token when no token is sent', async () => {
    const answer = await get(`${app.url}/protected`)
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toBe('Bearer')
    // RFC 6750 §3.1: no `error` member for a request without credentials.
    expect(answer.body).toEqual({
      statusCode: 401,
      message: 'access token required',
      code: 'missing_token',
    })
  })

  it('answers 401 invalid_token with the keyward code when the token is expired', async () => {
    const now = Math.floor(Date.now() / 1000)
    const answer = await get(
      `${app.url}/protected`,
      issuer.mint({ iat: now - 600, exp: now - 300 }),
    )
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(answer.body).toMatchObject({
      statusCode: 401,
      error: 'invalid_token',
      code: 'token_expired',
    })
  })

  it('answers 400 invalid_request for a malformed Authorization header', async () => {
    const response = await fetch(`${app.url}/protected`, {
      headers: { authorization: 'Bearer a b' },
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_request"/)
    expect(await response.json()).toMatchObject({
      error: 'invalid_request',
      code: 'invalid_request',
    })
  })

  it('lets a valid token through and injects the token and one field with @Auth()', async () => {
    const answer = await get(`${app.url}/protected`, issuer.mint({ sub: 'user-1', scope: 'a b' }))
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ sub: 'user-1', clientId: 'client-123', scopes: ['a', 'b'] })
  })

  it('puts the verified token on request.auth', async () => {
    const answer = await get(`${app.url}/request`, issuer.mint({ sub: 'user-2' }))
    expect(answer.body).toEqual({ sub: 'user-2' })
  })

  it('answers 403 insufficient_scope naming the required scope when @Scopes() is not met', async () => {
    const answer = await get(`${app.url}/write`, issuer.mint({ scope: 'read:things' }))
    expect(answer.status).toBe(403)
    const challenge = answer.headers.get('www-authenticate')
    expect(challenge).toMatch(/error="insufficient_scope"/)
    expect(challenge).toMatch(/scope="write:things"/)
    expect(answer.body).toMatchObject({
      statusCode: 403,
      error: 'insufficient_scope',
      code: 'insufficient_scope',
    })
  })

  it('applies class and method @Scopes() together', async () => {
    const url = `${app.url}/scoped`
    expect((await get(`${url}/class`, issuer.mint({ scope: 'read:things' }))).status).toBe(200)
    expect((await get(`${url}/both`, issuer.mint({ scope: 'write:things' }))).status).toBe(403)
    expect((await get(`${url}/both`, issuer.mint({ scope: 'read:things' }))).status).toBe(403)
    const both = issuer.mint({ scope: 'read:things write:things' })
    expect((await get(`${url}/both`, both)).status).toBe(200)
  })
})

describe.each(platforms)('BearerAuthGuard failures on %s', (platform) => {
  let issuer: TestIssuer
  let jwks: JwksServer

  beforeAll(async () => {
    issuer = await TestIssuer.create()
    jwks = await startJwksServer({ issuer })
  })

  afterAll(async () => {
    await jwks.close()
  })

  it('answers 503 with Retry-After and no challenge when the JWKS is down and no keys are cached', async () => {
    jwks.setFault({ kind: 'status', status: 500 })
    const app = await startApp(
      appModule({ issuer: issuer.issuer, audience: issuer.audience, jwksUri: jwks.url }),
      platform,
    )
    try {
      const answer = await get(`${app.url}/protected`, issuer.mint())
      expect(answer.status).toBe(503)
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(answer.headers.get('www-authenticate')).toBeNull()
      // `expose: false`: the client gets the status phrase, the code says why.
      expect(answer.body).toEqual({
        statusCode: 503,
        error: 'temporarily_unavailable',
        message: 'Service Unavailable',
        code: 'jwks_unavailable',
      })
    } finally {
      jwks.setFault(null)
      await app.close()
    }
  })

  it('keeps the KeywardError as the exception cause, for filters that shape their own body', async () => {
    @Catch(UnauthorizedException, ForbiddenException)
    class ReasonFilter implements ExceptionFilter {
      constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

      catch(exception: HttpException, host: ArgumentsHost) {
        const { cause } = exception
        const reason = isKeywardError(cause) ? cause.code : 'unknown'
        const response: unknown = host.switchToHttp().getResponse()
        this.adapterHost.httpAdapter.reply(response, { reason }, exception.getStatus())
      }
    }

    @Module({
      imports: [
        KeywardModule.forRoot({
          issuer: issuer.issuer,
          audience: issuer.audience,
          jwksUri: jwks.url,
        }),
      ],
      controllers: [RoutesController],
      providers: [
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ReasonFilter },
      ],
    })
    class FilteredModule {}

    const app = await startApp(FilteredModule, platform)
    try {
      const now = Math.floor(Date.now() / 1000)
      const expired = await get(
        `${app.url}/protected`,
        issuer.mint({ iat: now - 600, exp: now - 300 }),
      )
      expect(expired.status).toBe(401)
      expect(expired.body).toEqual({ reason: 'token_expired' })
      // The guard set the challenge before throwing, so a custom filter keeps it.
      expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
      const scoped = await get(`${app.url}/write`, issuer.mint({ scope: 'read:things' }))
      expect(scoped.body).toEqual({ reason: 'insufficient_scope' })
    } finally {
      await app.close()
    }
  })

  it('guards only the routes that ask for it with @UseGuards()', async () => {
    @Controller()
    class MixedController {
      @Get('open')
      open() {
        return { ok: true }
      }

      @UseGuards(BearerAuthGuard)
      @Get('closed')
      closed(@Auth('subject') sub: string | undefined) {
        return { sub }
      }
    }

    @Module({
      imports: [
        KeywardModule.forRoot({
          issuer: issuer.issuer,
          audience: issuer.audience,
          jwksUri: jwks.url,
        }),
      ],
      controllers: [MixedController],
    })
    class MixedModule {}

    const app = await startApp(MixedModule, platform)
    try {
      expect((await get(`${app.url}/open`)).status).toBe(200)
      expect((await get(`${app.url}/closed`)).status).toBe(401)
      const answer = await get(`${app.url}/closed`, issuer.mint({ sub: 'user-4' }))
      expect(answer.body).toEqual({ sub: 'user-4' })
    } finally {
      await app.close()
    }
  })
})
