import type { ContractApp } from '@keyward/adapter-tests'
import type { FastifyInstance } from 'fastify'

/**
 * Starts a Fastify app with its own HTTP server (so its parser and client-error handling are
 * under test) on 127.0.0.1:0; `close` also runs `onClose` (e.g. `verifier.close()`).
 */
export async function listen(
  app: FastifyInstance,
  onClose: () => void = () => undefined,
): Promise<ContractApp> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    async close() {
      onClose()
      // fetch keeps connections alive; Fastify closes idle ones (`forceCloseConnections`).
      await app.close()
    },
  }
}

export { startIssuer, type IssuerFixture } from '@keyward/test-utils'
