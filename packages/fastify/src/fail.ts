import { isJsonRpcRefusal, isKeywardError } from '@keyward/core'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Internal: answers a failed hook. An error handler of the app's own (`setErrorHandler`, on
 * the route's context or an ancestor) receives the `KeywardError`, as Fastify routes any hook
 * error. Without one, keyward answers here: Fastify's default handler would set the status and
 * the error's `headers`, but write its own body, `{ statusCode, code, error: 'Unauthorized',
 * message }`, where RFC 6750 §3 and the other adapters put `{ error, error_description }`.
 */
export function fail(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  // An MCP transport refusal always answers its JSON-RPC body: MCP clients read that.
  if (isJsonRpcRefusal(error) || (isKeywardError(error) && usesDefaultErrorHandler(request))) {
    void reply.code(error.status).headers(error.headers).send(error.toJSON())
    return
  }
  done(error as Error)
}

/**
 * Whether no error handler was set for the route's context. Fastify 4 and 5 expose the
 * context's handler as `errorHandler`: their own `defaultErrorHandler` until `setErrorHandler`
 * (which binds the function it is given) replaces it. Were Fastify to rename it, every failure
 * would go to its default handler: the right status and headers, Fastify's body.
 */
function usesDefaultErrorHandler(request: FastifyRequest): boolean {
  return request.server.errorHandler.name === 'defaultErrorHandler'
}
