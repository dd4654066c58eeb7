import { describe, expect, it } from 'vitest'
import { fixture, type StartApp } from './fixture.js'
import { expectJsonRpcRefusal, postJson, toolCall } from './mcp-client.js'

/**
 * MCP Streamable HTTP, "Security Warning": servers MUST validate `Origin` on every request and
 * answer 403 when it is present and not allowed (DNS rebinding), here with a JSON-RPC error body
 * without id. The `startMcp` app allows `https://app.example.com` on `POST /mcp`.
 */
export function describeOriginCheck(start: StartApp): void {
  describe('originCheck (MCP DNS rebinding protection)', () => {
    const f = fixture(start)
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' }

    it('lets a request without Origin through to authentication and the handler', async () => {
      const { url, bearer } = f()
      const reply = await postJson(url('/mcp'), list, bearer({ scope: 'read:things' }))
      expect(reply.status).toBe(200)
      expect(JSON.parse(reply.body)).toEqual({ ok: true })
      expect((await postJson(url('/mcp'), list)).status).toBe(401)
    })

    it.each(['https://app.example.com', 'HTTPS://App.Example.com:443'])(
      'lets the allowed origin %s through (RFC 6454 serialisation)',
      async (origin) => {
        const { url, bearer } = f()
        const reply = await postJson(url('/mcp'), list, { ...bearer(), origin })
        expect(reply.status).toBe(200)
      },
    )

    it.each([
      'https://evil.example',
      'http://app.example.com',
      'https://app.example.com:8443',
      'null',
    ])(
      'refuses Origin %s with 403 and a JSON-RPC error, even with a valid token',
      async (origin) => {
        const { url, bearer } = f()
        const reply = await postJson(url('/mcp'), toolCall('write_thing'), {
          ...bearer({ scope: 'write:things' }),
          origin,
        })
        expectJsonRpcRefusal(reply, { status: 403, code: -32000, id: null })
      },
    )

    it('refuses a foreign Origin before authentication: 403, not 401', async () => {
      const reply = await postJson(f().url('/mcp'), list, { origin: 'https://evil.example' })
      expectJsonRpcRefusal(reply, { status: 403, code: -32000, id: null })
    })
  })
}
