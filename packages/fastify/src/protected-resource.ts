import type { ProtectedResourceMetadata } from '@keyward/core'
import type { FastifyPluginCallback } from 'fastify'

/**
 * A plugin serving RFC 9728 protected resource metadata: `GET` and `HEAD` on each of
 * `metadata.paths` (`/.well-known/oauth-protected-resource/mcp` and
 * `/.well-known/oauth-protected-resource` for the resource `https://host/mcp`) answer 200 with
 * the document, publicly, with `access-control-allow-origin: *`. Other methods on those paths
 * stay the app's. Register it without a prefix, outside the context `bearerAuth` protects; the
 * document comes from configuration, never from `Host`.
 *
 * @example
 * ```ts
 * const resource = 'https://mcp.example.com/mcp'
 * const resourceMetadata = protectedResourceMetadata({ resource, authorizationServers: [issuer] })
 * const verifier = createVerifier({ issuer, audience: resource, resourceMetadata })
 * app.register(protectedResource(resourceMetadata))
 * app.register(async (mcp) => {
 *   await mcp.register(bearerAuth, verifier)
 *   mcp.post('/mcp', handleMcp)
 * })
 * ```
 */
export function protectedResource(metadata: ProtectedResourceMetadata): FastifyPluginCallback {
  return (instance, _options, done) => {
    for (const url of metadata.paths) {
      instance.route({
        method: 'GET',
        url,
        // Whatever the app's `exposeHeadRoutes` says: RFC 9728 clients may probe with HEAD.
        exposeHeadRoute: true,
        handler: (_request, reply) => reply.headers(metadata.headers).send(metadata.body),
      })
    }
    done()
  }
}
