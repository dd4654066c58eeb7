import {
  Controller,
  ForbiddenException,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common'
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport'
import { passportJwtSecret } from 'jwks-rsa'
import { ExtractJwt, Strategy } from 'passport-jwt'

export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS')
export const DENYLIST = Symbol('DENYLIST')

/** Revoked token ids (`jti`), e.g. a Redis set. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

interface User {
  sub: string
  roles: string[]
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(AUTH_SETTINGS) { issuer, audience, jwksUri }: AuthSettings,
    @Inject(DENYLIST) private readonly revoked: Denylist,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: passportJwtSecret({
        jwksUri,
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
      }),
      issuer,
      audience,
      algorithms: ['RS256'],
    })
  }

  async validate(payload: { sub: string; jti?: string; roles?: unknown }): Promise<User> {
    if (payload.jti !== undefined && (await this.revoked.has(payload.jti))) {
      throw new UnauthorizedException()
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : []
    return { sub: payload.sub, roles }
  }
}

@Controller()
@UseGuards(AuthGuard('jwt'))
export class MeController {
  @Get('me')
  me(@Req() req: { user: User }) {
    return { sub: req.user.sub }
  }

  @Get('admin')
  admin(@Req() req: { user: User }) {
    if (!req.user.roles.includes('admin')) throw new ForbiddenException()
    return { admin: true }
  }
}

@Module({})
export class AppModule {
  static forRoot(settings: AuthSettings, revoked: Denylist): DynamicModule {
    return {
      module: AppModule,
      imports: [PassportModule],
      controllers: [MeController],
      providers: [
        { provide: AUTH_SETTINGS, useValue: settings },
        { provide: DENYLIST, useValue: revoked },
        JwtStrategy,
      ],
    }
  }
}
