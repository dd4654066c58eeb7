import { randomUUID } from 'node:crypto'
import { Controller, Get, HttpCode, Inject, Post, Res } from '@nestjs/common'
import {
  describeCaller,
  healthReport,
  type Caller,
  type DemoApiConfig,
  type HealthBody,
} from '@keyward/demo-api-kit'
import {
  Auth,
  KEYWARD_VERIFIER,
  Public,
  Scopes,
  type Verifier,
  type VerifiedToken,
} from '@keyward/nestjs'

/** The part of the platform's response the health route uses (Express's `res.status`). */
interface StatusSetter {
  status(code: number): unknown
}

/** Injection token of the app's {@link DemoApiConfig}. */
export const API_CONFIG = 'API_CONFIG'

/**
 * The demo routes. The app-wide `BearerAuthGuard` protects every route not marked `@Public()`.
 *
 * @example
 * ```ts
 * @Module({ controllers: [NotesController] })
 * ```
 */
@Controller()
export class NotesController {
  constructor(
    @Inject(API_CONFIG) private readonly config: DemoApiConfig,
    @Inject(KEYWARD_VERIFIER) private readonly verifier: Verifier,
  ) {}

  @Public()
  @Get()
  root(): { service: string; message: string } {
    return { service: this.config.service, message: 'public: no token needed' }
  }

  @Public()
  @Get('healthz')
  healthz(@Res({ passthrough: true }) res: StatusSetter): HealthBody {
    const { status, body } = healthReport(this.config.service, this.verifier, this.config.fetchLog)
    res.status(status)
    return body
  }

  @Get('me')
  me(@Auth() auth: VerifiedToken): Caller {
    return describeCaller(auth)
  }

  @Post('notes')
  @Scopes('notes:write')
  @HttpCode(201)
  create(@Auth('clientId') clientId: string): { id: string; createdBy: string } {
    return { id: randomUUID(), createdBy: clientId }
  }
}
