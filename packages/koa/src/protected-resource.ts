import type { ProtectedResourceMetadata } from '@keyward/core'
import type { Middleware } from 'koa'

/**
 * Serves RFC 9728 protected resource metadata: `GET` and `HEAD` on each of `metadata.paths`
 * (`/.well-known/oauth-protected-resource/mcp` and `/.well-known/oauth-protected-resource` for
 * the resource `https://host/mcp`) answer 200 with the document, publicly, with
 * `access-control-allow-origin: *`. Every other request goes to `next()`. Use it before
 * `bearerAuth`; the document comes from configuration, never from `Host`.
 *
 * @example
 * ```ts
 * const resourceMetadata = protectedResourceMetadata({
 *   resource: 'https://mcp.example.com/mcp', authorizationServers: [issuer] })
 * app.use(protectedResource(resourceMetadata))
 * app.use(bearerAuth({ issuer, audience: 'https://mcp.example.com/mcp', resourceMetadata }))
 * ```
 */
export function protectedResource(metadata: ProtectedResourceMetadata): Middleware {
  return async (ctx, next) => {
    // `originalUrl`: the full path, also under koa-mount.
    if (!metadata.matches(ctx.method, ctx.originalUrl)) {
      await next()
      return
    }
    ctx.set(metadata.headers)
    ctx.body = metadata.body
  }
}
