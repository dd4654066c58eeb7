import type { VerifiedToken } from '@keyward/core'
import { listen } from '@keyward/adapter-tests'
import { startIssuer, type IssuerFixture } from '@keyward/test-utils'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import express, { type Request } from 'express'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { bearerAuth } from '../src/index.js'

// The type assertions are checked by `tsc` (the `typecheck` script), not at run time.
type RequestAuth = NonNullable<Request['auth']>
type TransportRequest = Parameters<StreamableHTTPServerTransport['handleRequest']>[0]

let fixture: IssuerFixture
beforeAll(async () => {
  fixture = await startIssuer()
})
afterAll(async () => {
  await fixture.close()
})

describe('req.auth and the MCP TypeScript SDK', () => {
  it('types req.auth as assignable to AuthInfo and to VerifiedToken', () => {
    expectTypeOf<RequestAuth>().toExtend<AuthInfo>()
    expectTypeOf<RequestAuth>().toExtend<VerifiedToken>()
    expectTypeOf<Request['auth']>().toExtend<AuthInfo | undefined>()
  })

  it('lets an authenticated Express request go to the streamable HTTP transport', () => {
    expectTypeOf<Request>().toExtend<TransportRequest>()
  })

  it('carries the token, client id, scopes and expiry the SDK reads', async () => {
    const { issuer, options } = fixture
    const token = issuer.mint({ client_id: 'mcp-client', scope: 'tools:call' })
    let seen: AuthInfo | undefined
    const app = express()
    app.post('/mcp', bearerAuth(options), (req, res) => {
      seen = req.auth
      res.end()
    })
    const running = await listen(app)
    try {
      await fetch(`${running.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
    } finally {
      await running.close()
    }
    expect(seen).toMatchObject({ token, clientId: 'mcp-client', scopes: ['tools:call'] })
    expect(seen?.expiresAt).toEqual(expect.any(Number))
  })
})
