import { expectedChallenge } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { isKeywardError } from '../src/errors.js'
import { isJsonRpcRefusal } from '../src/json-rpc-refusal.js'
import { toolScopeCheck, type McpHttpRequest } from '../src/tool-scopes.js'
import type { VerifiedToken } from '../src/verified-token.js'
import { useFixture } from './helpers.js'

const fx = useFixture()

const check = toolScopeCheck({
  write_note: ['notes:write'],
  whoami: 'notes:read',
  admin: ['a', 'b'],
})

const call = (name: unknown, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
})

function post(body: unknown, headers: McpHttpRequest['headers'] = {}): McpHttpRequest {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }
}

/** `'passed'`, or the failure's code, status and `WWW-Authenticate` / body. */
function outcome(request: McpHttpRequest, auth: VerifiedToken | undefined): unknown {
  try {
    check(request, auth, { realm: 'mcp' })
  } catch (error) {
    if (isKeywardError(error)) {
      return {
        code: error.code,
        status: error.status,
        challenge: error.headers['WWW-Authenticate'],
      }
    }
    if (isJsonRpcRefusal(error))
      return { code: error.code, status: error.status, body: error.toJSON() }
    throw error
  }
  return 'passed'
}

const token = (scope: string) => fx.verifier().verify(fx.issuer.mint({ scope }))

describe('toolScopeCheck', () => {
  it("refuses a tools/call without the tool's scopes: 403 naming them", async () => {
    expect(outcome(post(call('write_note')), await token('notes:read'))).toEqual({
      code: 'insufficient_scope',
      status: 403,
      challenge: expectedChallenge('insufficient_scope', { scope: 'notes:write' }),
    })
  })

  it("passes a tools/call with the tool's scopes, other methods and unlisted tools", async () => {
    const reader = await token('notes:read')
    expect(outcome(post(call('whoami')), reader)).toBe('passed')
    expect(outcome(post(call('unlisted')), reader)).toBe('passed')
    expect(outcome(post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), reader)).toBe('passed')
    expect(outcome(post(call('write_note')), await token('notes:read notes:write'))).toBe('passed')
  })

  it('names the scopes of every tool a batch calls in one challenge', async () => {
    expect(
      outcome(post([call('write_note', 1), call('admin', 2), call('whoami', 3)]), await token('x')),
    ).toMatchObject({
      status: 403,
      challenge: expectedChallenge('insufficient_scope', { scope: 'notes:write a b notes:read' }),
    })
  })

  it("answers a call without a token 401 naming the tool's scopes", () => {
    expect(outcome(post(call('write_note')), undefined)).toEqual({
      code: 'missing_token',
      status: 401,
      challenge: 'Bearer realm="mcp", scope="notes:write"',
    })
  })

  it('finds only own entries: prototype names are unlisted tools', async () => {
    const reader = await token('notes:read')
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(outcome(post(call(name)), reader)).toBe('passed')
    }
    const inherited = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: Object.create({ name: 'write_note' }) as object,
    }
    expect(outcome(post(inherited), reader)).toBe('passed')
  })

  it('checks only POST requests', async () => {
    expect(outcome({ method: 'GET', headers: {}, body: undefined }, await token('x'))).toBe(
      'passed',
    )
  })

  it('fails closed (TypeError) on a JSON request whose body was not parsed', async () => {
    const auth = await token('x')
    for (const body of [undefined, '{"method":"tools/call"}', new Uint8Array(2)]) {
      expect(() => {
        check(post(body), auth)
      }).toThrow(TypeError)
    }
    // Not JSON: the MCP SDK answers 415 and runs nothing.
    expect(
      outcome({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: undefined }, auth),
    ).toBe('passed')
  })

  it.each([
    [{ x: [] }, /tool "x": at least one scope/],
    [{ x: ['bad scope"'] }, /tool "x": .* is not a valid scope/],
    [{ x: 42 }, /tool "x" must be a string or an array/],
    [null, /"tool scopes" must be an object/],
  ])('refuses the map %j at construction', (scopes, message) => {
    expect(() => toolScopeCheck(scopes as never)).toThrow(message)
  })
})

describe('toolScopeCheck with the MCP 2026-07-28 standard headers', () => {
  const MISMATCH = (id: number | null) => ({
    code: 'mcp_header_mismatch',
    status: 400,
    body: { jsonrpc: '2.0', error: { code: -32020, message: expect.any(String) as string }, id },
  })

  it('passes headers that match the body', async () => {
    const writer = await token('notes:write')
    expect(
      outcome(
        post(call('write_note'), { 'mcp-method': 'tools/call', 'mcp-name': 'write_note' }),
        writer,
      ),
    ).toBe('passed')
    const read = { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'note://1' } }
    expect(
      outcome(post(read, { 'mcp-method': 'resources/read', 'mcp-name': 'note://1' }), writer),
    ).toBe('passed')
  })

  it('refuses an Mcp-Name that names another tool than the body, before any scope check', async () => {
    // The header names a tool the token may call; the body calls the one it may not.
    expect(
      outcome(
        post(call('write_note', 9), { 'mcp-method': 'tools/call', 'mcp-name': 'whoami' }),
        await token('notes:read'),
      ),
    ).toEqual(MISMATCH(9))
  })

  it.each([
    [{ 'mcp-method': 'tools/list' }],
    [{ 'mcp-name': 'whoami' }],
    [{ 'mcp-method': ['tools/call', 'tools/call'] }],
    [{ 'mcp-name': '=?base64?d2hvYW1p?=' }],
    [{ 'mcp-name': '=?base64?!!!?=' }],
    [{ 'mcp-name': '=?base64?/w==?=' }],
  ])(
    'refuses headers %j that disagree with a write_note call: 400 HeaderMismatch',
    async (headers) => {
      expect(outcome(post(call('write_note', 3), headers), await token('notes:write'))).toEqual(
        MISMATCH(3),
      )
    },
  )

  it('decodes =?base64?…?= header values (UTF-8)', async () => {
    const name = 'écrire_note'
    const encoded = `=?base64?${Buffer.from(name).toString('base64')}?=`
    expect(
      outcome(
        post(call(name), { 'mcp-method': 'tools/call', 'mcp-name': encoded }),
        await token('x'),
      ),
    ).toBe('passed')
  })

  it('requires them of a client declaring revision 2026-07-28 or later', async () => {
    const auth = await token('notes:write')
    const modern = { 'mcp-protocol-version': '2026-07-28' }
    expect(outcome(post(call('write_note', 4), modern), auth)).toEqual(MISMATCH(4))
    expect(
      outcome(post(call('write_note', 4), { ...modern, 'mcp-method': 'tools/call' }), auth),
    ).toEqual(MISMATCH(4))
    expect(
      outcome(
        post(
          { jsonrpc: '2.0', id: 5, method: 'tools/list' },
          { ...modern, 'mcp-method': 'tools/list' },
        ),
        auth,
      ),
    ).toBe('passed')
    expect(outcome(post(call('write_note'), { 'mcp-protocol-version': '2025-11-25' }), auth)).toBe(
      'passed',
    )
  })

  it('holds every message of a batch to the headers, and answers with id null', async () => {
    const batch = [call('write_note', 1), { jsonrpc: '2.0', id: 2, method: 'tools/list' }]
    expect(
      outcome(post(batch, { 'mcp-method': 'tools/call' }), await token('notes:write')),
    ).toEqual(MISMATCH(null))
  })
})
