import { expectedChallenge } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { expectHandlerNotRun } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'
import { expectJsonRpcRefusal, postJson, toolCall } from './mcp-client.js'

/**
 * Per-tool scopes (MCP authorization, "Scope Challenge Handling"): a `tools/call` of a tool whose
 * scopes the token lacks is answered 403 `insufficient_scope` naming the tool's scopes before
 * the MCP handler runs; the 2026-07-28 `Mcp-Method` / `Mcp-Name` headers must match the body
 * (400, JSON-RPC `HeaderMismatch` -32020). The `startMcp` app maps `write_thing` to
 * `write:things` and `admin_thing` to `admin` on `POST /mcp`.
 */
export function describeToolScopes(start: StartApp): void {
  describe('toolScopes (per-tool scopes of an MCP server)', () => {
    const f = fixture(start)

    it("refuses a tools/call without the tool's scopes: 403 insufficient_scope naming them", async () => {
      const { url, bearer } = f()
      const reply = await postJson(
        url('/mcp'),
        toolCall('write_thing'),
        bearer({ scope: 'read:things' }),
      )
      expect(reply.status).toBe(403)
      expectHandlerNotRun(reply)
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('insufficient_scope', { scope: 'write:things' }),
      )
    })

    it("runs a tools/call with the tool's scopes, other methods and unlisted tools", async () => {
      const { url, bearer } = f()
      const reader = bearer({ scope: 'read:things' })
      const writer = bearer({ scope: 'write:things' })
      for (const [body, headers] of [
        [toolCall('write_thing'), writer],
        [toolCall('unlisted'), reader],
        [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, reader],
      ] as const) {
        const reply = await postJson(url('/mcp'), body, headers)
        expect(reply.status).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ ok: true })
      }
    })

    it('names the scopes of every tool a batch calls in one challenge', async () => {
      const { url, bearer } = f()
      const batch = [toolCall('write_thing', 1), toolCall('admin_thing', 2)]
      const reply = await postJson(url('/mcp'), batch, bearer({ scope: 'read:things' }))
      expect(reply.status).toBe(403)
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('insufficient_scope', { scope: 'write:things admin' }),
      )
    })

    it('refuses an Mcp-Name naming another tool than the body: 400 HeaderMismatch with the id', async () => {
      const { url, bearer } = f()
      // The header names a tool the token may call, the body the one it may not.
      const reply = await postJson(url('/mcp'), toolCall('write_thing', 7), {
        ...bearer({ scope: 'admin' }),
        'mcp-method': 'tools/call',
        'mcp-name': 'admin_thing',
      })
      expectJsonRpcRefusal(reply, { status: 400, code: -32020, id: 7 })
    })

    it('refuses an Mcp-Method that disagrees with the body', async () => {
      const { url, bearer } = f()
      const reply = await postJson(url('/mcp'), toolCall('write_thing', 8), {
        ...bearer({ scope: 'write:things' }),
        'mcp-method': 'tools/list',
      })
      expectJsonRpcRefusal(reply, { status: 400, code: -32020, id: 8 })
    })

    it('accepts matching headers, a =?base64?…?= encoded name included', async () => {
      const { url, bearer } = f()
      for (const name of ['write_thing', `=?base64?${btoa('write_thing')}?=`]) {
        const reply = await postJson(url('/mcp'), toolCall('write_thing'), {
          ...bearer({ scope: 'write:things' }),
          'mcp-method': 'tools/call',
          'mcp-name': name,
        })
        expect(reply.status).toBe(200)
      }
    })
  })
}
