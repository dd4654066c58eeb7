import {
  Injectable,
  Module,
  UnauthorizedException,
  type ExecutionContext,
  type Type,
} from '@nestjs/common'
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js'
import { NestFactory } from '@nestjs/core'
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quiet } from './nest-app.js'
import {
  AnyScope,
  Auth,
  BearerAuthGuard,
  KeywardModule,
  Public,
  Scopes,
  type KeywardRequest,
} from '../src/index.js'

/** The factory behind a param decorator, as Nest calls it. */
function paramFactory(
  decorator: () => ParameterDecorator,
): (data: unknown, context: ExecutionContext) => unknown {
  class Probe {
    handler(@decorator() _value: unknown): void {
      // Only the parameter metadata matters.
    }
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler')
  return args[Object.keys(args)[0]!].factory
}

class Resolver {
  @Scopes('write:things')
  mutate(): void {
    // A stand-in GraphQL resolver method.
  }
}

/** Contradictory rules, which the start-up scan refuses on controllers but never sees here. */
@Scopes('admin')
class ContradictoryResolver {
  @Public()
  query(): void {
    // A stand-in GraphQL resolver method.
  }
}

/** A GraphQL resolver's arguments: root, args, context, info (GqlExecutionContext's layout). */
function graphqlContext(
  req: KeywardRequest,
  type: Type = Resolver,
  // eslint-disable-next-line @typescript-eslint/unbound-method -- Nest hands guards the bare handler
  handler: () => void = Resolver.prototype.mutate,
): ExecutionContextHost {
  const context = new ExecutionContextHost([undefined, {}, { req }, {}], type, handler)
  context.setType('graphql')
  return context
}

@Injectable()
class GqlBearerAuthGuard extends BearerAuthGuard {
  protected override getRequest(context: ExecutionContext): KeywardRequest {
    return context.getArgByIndex<{ req: KeywardRequest }>(2).req
  }
}

describe('scope decorators', () => {
  it('reject an invalid scope name when the route is declared, not per request', () => {
    expect(() => Scopes('read things')).toThrow(TypeError)
    expect(() => AnyScope('ok', 'bad"quote')).toThrow(TypeError)
  })
})

describe('a GraphQL guard subclass through getRequest()', () => {
  let issuer: TestIssuer
  let jwks: JwksServer
  let guard: GqlBearerAuthGuard
  let close: () => Promise<void>

  beforeAll(async () => {
    issuer = await TestIssuer.create()
    jwks = await startJwksServer({ issuer })
    @Module({
      imports: [
        KeywardModule.forRoot({
          issuer: issuer.issuer,
          audience: issuer.audience,
          jwksUri: jwks.url,
        }),
      ],
      providers: [GqlBearerAuthGuard],
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, quiet)
    guard = app.get(GqlBearerAuthGuard)
    close = () => app.close()
  })

  afterAll(async () => {
    await close()
    await jwks.close()
  })

  it('authenticates the request in the GraphQL context and @Auth() reads it there', async () => {
    const req: KeywardRequest = {
      headers: { authorization: `Bearer ${issuer.mint({ sub: 'user-1', scope: 'write:things' })}` },
    }
    const context = graphqlContext(req)
    await expect(guard.canActivate(context)).resolves.toBe(true)
    expect(req.auth?.subject).toBe('user-1')
    expect(paramFactory(Auth)(undefined, context)).toBe(req.auth)
    expect(paramFactory(Auth)('subject', context)).toBe('user-1')
  })

  it('enforces method scopes and throws the HTTP exception with the KeywardError as cause', async () => {
    const anonymous: KeywardRequest = { headers: {} }
    const failure = await guard
      .canActivate(graphqlContext(anonymous))
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UnauthorizedException)
    expect((failure as UnauthorizedException).cause).toMatchObject({ code: 'missing_token' })
    expect((failure as UnauthorizedException).getResponse()).toMatchObject({
      code: 'missing_token',
    })

    const reader = { headers: { authorization: `Bearer ${issuer.mint({ scope: 'read:things' })}` } }
    await expect(guard.canActivate(graphqlContext(reader))).rejects.toMatchObject({
      status: 403,
      cause: { code: 'insufficient_scope' },
    })
  })

  it('lets a class scope rule win over a method @Public() where no start-up scan reaches', async () => {
    const context = graphqlContext(
      { headers: {} },
      ContradictoryResolver,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- as above
      ContradictoryResolver.prototype.query,
    )
    await expect(guard.canActivate(context)).rejects.toMatchObject({
      status: 401,
      cause: { code: 'missing_token' },
    })
  })
})
