import { Controller, Get, Module, type DynamicModule } from '@nestjs/common'
import { Auth, BearerAuth, ClaimIncludes, KeywardModule } from '@keyward/nestjs'

export interface AuthSettings {
  issuer: string
  audience: string
  jwksUri: string
}

/** Revoked token ids (`jti`), e.g. a Redis set. */
export interface Denylist {
  has(jti: string): Promise<boolean>
}

@Controller()
@BearerAuth()
export class MeController {
  @Get('me')
  me(@Auth('subject') sub: string) {
    return { sub }
  }

  @Get('admin')
  @ClaimIncludes('roles', 'admin')
  admin() {
    return { admin: true }
  }
}

@Module({})
export class AppModule {
  static forRoot({ issuer, audience, jwksUri }: AuthSettings, revoked: Denylist): DynamicModule {
    return {
      module: AppModule,
      imports: [
        KeywardModule.forRoot({
          issuer,
          audience,
          jwksUri,
          algorithms: ['RS256'],
          isRevoked: ({ claims }) =>
            typeof claims.jti === 'string' ? revoked.has(claims.jti) : false,
        }),
      ],
      controllers: [MeController],
    }
  }
}
