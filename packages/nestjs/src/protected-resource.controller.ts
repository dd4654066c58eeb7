import { applyDecorators, Controller, Get, Header, type Type } from '@nestjs/common'
import type { ProtectedResourceMetadata } from '@keyward/core'
import { Public } from './keyward.decorators.js'

/**
 * A controller serving RFC 9728 protected resource metadata: `GET` (and `HEAD`) on each of
 * `metadata.paths` answers 200 with the document, `@Public()` (so a global `BearerAuthGuard`
 * lets it through) and with `access-control-allow-origin: *`. Pass the same object as
 * `resourceMetadata` to `KeywardModule.forRoot`, so challenges point at it. Paths are absolute:
 * exclude them from a global prefix (`setGlobalPrefix('api', { exclude: metadata.paths })`).
 *
 * @example
 * ```ts
 * const resource = 'https://mcp.example.com/mcp'
 * const resourceMetadata = protectedResourceMetadata({ resource, authorizationServers: [issuer] })
 * @Module({
 *   imports: [KeywardModule.forRoot({ issuer, audience: resource, resourceMetadata })],
 *   controllers: [ProtectedResourceController(resourceMetadata), McpController],
 * })
 * export class AppModule {}
 * ```
 */
export function ProtectedResourceController(metadata: ProtectedResourceMetadata): Type {
  const headers = Object.entries(metadata.headers).map(([name, value]) => Header(name, value))
  @Public()
  @Controller()
  class ProtectedResource {
    @Get([...metadata.paths])
    @applyDecorators(...headers)
    document(): string {
      return metadata.body
    }
  }
  return ProtectedResource
}
