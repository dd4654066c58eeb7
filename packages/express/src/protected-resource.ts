import type { ProtectedResourceMetadata } from '@keyward/core'
import type { RequestHandler } from 'express'

/**
 * Serves RFC 9728 protected resource metadata: `GET` and `HEAD` on each of `metadata.paths`
 * (`/.well-known/oauth-protected-resource/mcp` and `/.well-known/oauth-protected-resource` for
 * the resource `https://host/mcp`) answer 200 with the document, publicly, with
 * `access-control-allow-origin: *`. Every other request goes to `next()`. Mount it at the app's
 * root, before `bearerAuth`; the document comes from configuration, never from `Host`.
 *
 * @example
 * ```ts
 * const resourceMetadata = protectedResourceMetadata({
 *   resource: 'https://mcp.example.com/mcp', authorizationServers: [issuer] })
 * app.use(protectedResource(resourceMetadata))
 * app.use('/mcp', bearerAuth({ issuer, audience: 'https://mcp.example.com/mcp', resourceMetadata }))
 * ```
 */
export function protectedResource(metadata: ProtectedResourceMetadata): RequestHandler {
  return (req, res, next) => {
    // `originalUrl`: the full path, also when mounted under a router.
    if (metadata.matches(req.method, req.originalUrl)) res.set(metadata.headers).send(metadata.body)
    else next()
  }
}
