import type { VerifiedToken } from '@keyward/core'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import Fastify, { type FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { bearerAuth } from '../src/index.js'
import { startIssuer, type IssuerFixture } from './helpers.js'

// The type assertions are checked by `tsc` (the `typecheck` script), not at run time.
type RequestAuth = NonNullable<FastifyRequest['auth']>
type TransportRequest = Parameters<StreamableHTTPServerTransport['handleRequest']>[0]

let fixture: IssuerFixture
beforeAll(async () => {
  fixture = await startIssuer()
})
afterAll(async () => {
  await fixture.close()
})

describe('request.auth and the MCP TypeScript SDK', () => {
  it('types request.auth as assignable to AuthInfo and to VerifiedToken', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<VerifiedToken | undefined>()
    expectTypeOf<RequestAuth>().toExtend<AuthInfo>()
    expectTypeOf<FastifyRequest['auth']>().toExtend<AuthInfo | undefined>()
  })

  it('lets the Node request, with request.auth on it, go to the streamable HTTP transport', () => {
    expectTypeOf<FastifyRequest['raw'] & { auth?: RequestAuth }>().toExtend<TransportRequest>()
  })

  it('carries the token, client id, scopes and expiry the SDK reads', async () => {
    const { issuer, options } = fixture
    const token = issuer.mint({ client_id: 'mcp-client', scope: 'tools:call' })
    let seen: AuthInfo | undefined
    const app = Fastify()
    await app.register(bearerAuth, options)
    app.post('/mcp', (request, reply) => {
      seen = request.auth
      return reply.code(204).send()
    })
    try {
      await app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { authorization: `Bearer ${token}` },
      })
    } finally {
      await app.close()
    }
    expect(seen).toMatchObject({ token, clientId: 'mcp-client', scopes: ['tools:call'] })
    expect(seen?.expiresAt).toEqual(expect.any(Number))
  })
})
