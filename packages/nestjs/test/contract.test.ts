import {
  Catch,
  Controller,
  Get,
  HttpCode,
  Module,
  Post,
  UseGuards,
  type ArgumentsHost,
} from '@nestjs/common'
import { APP_GUARD, BaseExceptionFilter } from '@nestjs/core'
import core from '@nestjs/core/package.json' with { type: 'json' }
import {
  contractClaimPredicate,
  CONTRACT_CLAIM_TIMEOUT_MS,
  CONTRACT_SERVICE_ACCOUNTS,
  CONTRACT_SPIFFE_IDS,
  MCP_ALLOWED_ORIGINS,
  MCP_TOOL_SCOPES,
  runAdapterContract,
  type ContractAppFactory,
} from '@keyward/adapter-tests'
import {
  AnyScope,
  Auth,
  BearerAuthGuard,
  ClaimCheck,
  ClaimEquals,
  ClaimIncludes,
  KeywardModule,
  OptionalAuth,
  OriginGuard,
  protectedResourceMetadata,
  ProtectedResourceController,
  Public,
  Scopes,
  ServiceAccounts,
  SpiffeIds,
  ToolScopesGuard,
  type VerifiedToken,
  type VerifierOptions,
} from '../src/index.js'
import { platforms, startApp, type Platform } from './nest-app.js'

@Controller()
class ContractController {
  @Public()
  @Get('public')
  open() {
    return { ok: true }
  }

  @Get('protected')
  protected(@Auth() auth: VerifiedToken) {
    return { sub: auth.subject, clientId: auth.clientId, scopes: auth.scopes }
  }

  @Scopes('write:things')
  @Get('write')
  write() {
    return { ok: true }
  }

  @AnyScope('admin', 'write:things')
  @Get('any')
  any() {
    return { ok: true }
  }

  @ClaimEquals('org_id', 'acme')
  @Get('claim-equals')
  claimEquals(@Auth() auth: VerifiedToken) {
    return this.protected(auth)
  }

  @ClaimIncludes('roles', 'editor', 'reviewer')
  @Get('claim-includes')
  claimIncludes(@Auth() auth: VerifiedToken) {
    return this.protected(auth)
  }

  @ClaimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS })
  @Get('claim-check')
  claimCheck(@Auth() auth: VerifiedToken) {
    return this.protected(auth)
  }

  @SpiffeIds(...CONTRACT_SPIFFE_IDS)
  @Get('workload-spiffe')
  workloadSpiffe(@Auth() auth: VerifiedToken) {
    return this.protected(auth)
  }

  @ServiceAccounts(...CONTRACT_SERVICE_ACCOUNTS)
  @Get('workload-service-account')
  workloadServiceAccount(@Auth() auth: VerifiedToken) {
    return this.protected(auth)
  }

  @OptionalAuth()
  @Get('optional')
  optional(@Auth() auth: VerifiedToken | undefined) {
    return auth === undefined
      ? { authenticated: false }
      : { authenticated: true, sub: auth.subject }
  }

  // The route's 401s name its @Scopes() (derived, not configured).
  @Scopes('read:things')
  @Get('scoped-401')
  scoped() {
    return { ok: true }
  }

  @OptionalAuth()
  @Scopes('write:things')
  @Get('optional-write')
  optionalWrite() {
    return { ok: true }
  }
}

/** Class-level and method-level scope rules: one challenge names both. */
@Scopes('admin')
@Controller()
class AdminController {
  @Scopes('write:things')
  @Get('two-scopes')
  twoScopes() {
    return { ok: true }
  }
}

/** A path prefix of its own: DPoP's `htu` names `/mounted/protected`. */
@Controller('mounted')
class MountedController {
  @Get('protected')
  protected(@Auth() auth: VerifiedToken) {
    return { sub: auth.subject, clientId: auth.clientId, scopes: auth.scopes }
  }
}

/** Another method on the metadata path: reached only if the metadata controller leaves it. */
@Controller()
class NextController {
  @Public()
  @HttpCode(405)
  @Post('.well-known/oauth-protected-resource/mcp')
  next() {
    return { next: true }
  }
}

/** The MCP endpoint: per-tool scopes after the global BearerAuthGuard. */
@Controller()
class McpController {
  @UseGuards(ToolScopesGuard(MCP_TOOL_SCOPES))
  @HttpCode(200)
  @Post('mcp')
  handle() {
    return { ok: true }
  }
}

/**
 * The set-up mistake of the route-order topic: ToolScopesGuard listed before BearerAuthGuard
 * (Nest runs a route's guards in the order listed). Nest's scope and claim rules cannot be
 * misordered so: BearerAuthGuard enforces them itself, after authenticating.
 */
@Controller('early')
class EarlyController {
  @UseGuards(ToolScopesGuard(MCP_TOOL_SCOPES), BearerAuthGuard)
  @HttpCode(200)
  @Post('mcp')
  handle() {
    return { ok: true }
  }
}

/** Nest's own exception handling, seen by the test first. */
function recordingFilter(onError: (error: unknown) => void): typeof BaseExceptionFilter {
  @Catch()
  class RecordingFilter extends BaseExceptionFilter {
    override catch(exception: unknown, host: ArgumentsHost): void {
      onError(exception)
      super.catch(exception, host)
    }
  }
  return RecordingFilter
}

/** The global-guard set-up of the README: APP_GUARD, @Public() on /public. */
function contractFactory(platform: Platform): ContractAppFactory {
  return {
    // The Nest major comes from the same resolution as the code under test (see vitest configs).
    routeScopesOn401: true,
    // The platform's own request: Express's `req` (with `res`), or Fastify's `request` (`raw`).
    isNativeRequest: (request) => {
      const r = request as { res?: unknown; raw?: unknown }
      return platform === 'express' ? r.res !== undefined : r.raw !== undefined
    },
    name: `nestjs@${core.version.split('.')[0] ?? '?'} on ${platform}`,
    async start(verifierOptions: VerifierOptions) {
      @Module({
        imports: [KeywardModule.forRoot(verifierOptions)],
        controllers: [ContractController, AdminController, MountedController],
        providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
      })
      class ContractModule {}
      const app = await startApp(ContractModule, platform)
      return { url: app.url, close: () => app.close() }
    },
    async startMcp(verifierOptions) {
      // Global guards run in the order provided: the origin before authentication.
      @Module({
        imports: [KeywardModule.forRoot(verifierOptions)],
        controllers: [McpController],
        providers: [
          { provide: APP_GUARD, useClass: OriginGuard({ allowedOrigins: MCP_ALLOWED_ORIGINS }) },
          { provide: APP_GUARD, useClass: BearerAuthGuard },
        ],
      })
      class McpModule {}
      const app = await startApp(McpModule, platform)
      return { url: app.url, close: () => app.close() }
    },
    earlyRoutes: { '/early/mcp': 'ToolScopesGuard' },
    async startMisordered(verifierOptions, onError) {
      @Module({
        imports: [KeywardModule.forRoot(verifierOptions)],
        controllers: [EarlyController],
      })
      class EarlyModule {}
      const Filter = recordingFilter(onError)
      const app = await startApp(EarlyModule, platform, {
        configure: (nest) => {
          nest.useGlobalFilters(new Filter(nest.getHttpAdapter()))
        },
      })
      return { url: app.url, close: () => app.close() }
    },
    async startWithResourceMetadata(verifierOptions, metadata) {
      const resourceMetadata = protectedResourceMetadata(metadata)
      // The metadata controller is @Public(): the global guard must let it through.
      @Module({
        imports: [KeywardModule.forRoot({ ...verifierOptions, resourceMetadata })],
        controllers: [
          ProtectedResourceController(resourceMetadata),
          NextController,
          ContractController,
          AdminController,
          MountedController,
        ],
        providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
      })
      class MetadataModule {}
      const app = await startApp(MetadataModule, platform, { trustProxy: true })
      return { url: app.url, close: () => app.close() }
    },
  }
}

for (const platform of platforms) runAdapterContract(contractFactory(platform))
