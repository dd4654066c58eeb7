import 'reflect-metadata'
import type { Server } from 'node:http'
import { BearerAuthGuard, KeywardModule, type VerifiedToken } from '@keyward/nestjs'
import { Controller, Get, Injectable, Module, Req, UseGuards, type Type } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport'
import { passportJwtSecret } from 'jwks-rsa'
import { ExtractJwt, Strategy } from 'passport-jwt'
import { issuerOptions, listen, type AppFactory } from '../app-config.js'

async function start(module: Type): Promise<Server> {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest's options are plain objects typed as a class
  const app = await NestFactory.create(module, { logger: false })
  await app.init()
  return listen(app.getHttpServer() as Server)
}

export const baseline: AppFactory = () => {
  @Controller()
  class AnonymousController {
    // The same handler as the other apps', `@Req()` included, as in every framework's baseline
    // here: Nest resolves a decorated parameter on every request, a cost of the handler, not of
    // authentication.
    @Get()
    get(@Req() _req: unknown) {
      return { sub: 'anonymous' }
    }
  }
  @Module({ controllers: [AnonymousController] })
  class AppModule {}
  return start(AppModule)
}

export const keyward: AppFactory = (config) => {
  @Controller()
  @UseGuards(BearerAuthGuard)
  class KeywardController {
    @Get()
    get(@Req() req: { auth?: VerifiedToken }) {
      return { sub: req.auth?.subject }
    }
  }
  @Module({
    imports: [KeywardModule.forRoot(issuerOptions(config))],
    controllers: [KeywardController],
  })
  class AppModule {}
  return start(AppModule)
}

export const passportJwt: AppFactory = (config) => {
  // The recipe of Nest's authentication docs, with jwks-rsa as in passport-jwt's README.
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider: passportJwtSecret({
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 5,
          jwksUri: config.jwksUri,
        }),
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['RS256'],
      })
    }
    validate(payload: unknown) {
      return payload
    }
  }
  @Controller()
  @UseGuards(AuthGuard('jwt'))
  class PassportController {
    @Get()
    get(@Req() req: { user?: { sub?: string } }) {
      return { sub: req.user?.sub }
    }
  }
  @Module({
    imports: [PassportModule],
    controllers: [PassportController],
    providers: [JwtStrategy],
  })
  class AppModule {}
  return start(AppModule)
}
