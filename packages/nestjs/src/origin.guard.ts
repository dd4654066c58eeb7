import { mixin, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common'
import { originCheck, type OriginCheckOptions } from '@keyward/core'
import { guardFailure } from './keyward.exception.js'
import type { KeywardRequest } from './keyward.request.js'

/**
 * A guard class validating the `Origin` of HTTP requests, as the MCP Streamable HTTP transport
 * requires of servers (DNS rebinding protection): a request without `Origin` or from an allowed
 * origin passes; any other is answered 403 with a JSON-RPC error body
 * (`{"jsonrpc":"2.0","error":{"code":-32000,"message":"origin not allowed"},"id":null}`).
 * Register it as the first `APP_GUARD`, before `BearerAuthGuard` (global guards run in the
 * order they are provided), so a foreign page gets 403 whatever its token; or in `@UseGuards`
 * before `BearerAuthGuard`. Other transports (GraphQL, WebSockets, microservices) pass.
 * Options are validated when this is called.
 *
 * @example
 * ```ts
 * providers: [
 *   { provide: APP_GUARD, useClass: OriginGuard({ allowedOrigins: ['https://app.example.com'] }) },
 *   { provide: APP_GUARD, useClass: BearerAuthGuard },
 * ]
 * ```
 */
export function OriginGuard(options: OriginCheckOptions): Type<CanActivate> {
  const check = originCheck(options)
  class KeywardOriginGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      if (context.getType<string>() !== 'http') return true
      const http = context.switchToHttp()
      try {
        check(http.getRequest<KeywardRequest>().headers.origin)
      } catch (error) {
        throw guardFailure(error, undefined)
      }
      return true
    }
  }
  return mixin(KeywardOriginGuard)
}
