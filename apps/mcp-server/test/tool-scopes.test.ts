import { isKeywardError, type VerifiedToken } from '@keyward/core'
import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { toolScopes } from '../src/tool-scopes.js'

const guard = toolScopes({ write_note: ['notes:write'], whoami: ['notes:read'] })

/** What `guard` passes to `next`: `'passed'`, or the error's code, status and scope. */
function outcome(body: unknown, scopes: string[]): unknown {
  // Only `scopes` is read by a scope check; the rest of a VerifiedToken does not matter here.
  const req = { body, auth: { scopes } as unknown as VerifiedToken } as unknown as Request
  let seen: unknown = 'not called'
  void guard(req, {} as unknown as Response, (error?: unknown) => {
    seen = error === undefined ? 'passed' : error
  })
  if (!isKeywardError(seen)) return seen
  return [seen.code, seen.status, seen.headers['WWW-Authenticate']]
}

const call = (name: unknown) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name } })

describe('toolScopes', () => {
  it('refuses a tools/call whose tool needs a scope the token lacks, naming the scope', () => {
    expect(outcome(call('write_note'), ['notes:read'])).toEqual([
      'insufficient_scope',
      403,
      'Bearer error="insufficient_scope", error_description="insufficient scope", scope="notes:write"',
    ])
  })

  it('lets a tools/call through when the token has the scope', () => {
    expect(outcome(call('write_note'), ['notes:write'])).toBe('passed')
  })

  it('checks every call of a batch', () => {
    const [code, status] = outcome(
      [call('whoami'), call('write_note')],
      ['notes:read'],
    ) as unknown[]
    expect([code, status]).toEqual(['insufficient_scope', 403])
  })

  it('leaves other methods, unlisted tools and odd bodies to the MCP SDK', () => {
    const bodies = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { name: 'write_note' } },
      call('unknown_tool'),
      call('constructor'),
      call('__proto__'),
      call(42),
      { method: 'tools/call' },
      undefined,
      'text',
      [null],
    ]
    expect(bodies.map((body) => outcome(body, []))).toEqual(bodies.map(() => 'passed'))
  })
})
