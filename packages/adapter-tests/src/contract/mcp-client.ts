import type { HttpReply } from '@keyward/test-utils'
import { expect } from 'vitest'

/** A JSON-RPC `tools/call` of `name`. */
export function toolCall(name: string, id = 1): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }
}

/** POSTs `body` as JSON to `url` through `fetch` (which sends any `Origin` it is given). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    redirect: 'manual',
  })
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  }
}

/** A refusal answered with a JSON-RPC error body and no challenge; the handler did not run. */
export function expectJsonRpcRefusal(
  reply: HttpReply,
  expected: { readonly status: number; readonly code: number; readonly id: number | null },
): void {
  expect(reply.status).toBe(expected.status)
  expect(reply.headers['www-authenticate']).toBeUndefined()
  expect(reply.headers['content-type']).toMatch(/^application\/json/)
  const body = JSON.parse(reply.body) as Record<string, unknown>
  expect(body).toEqual({
    jsonrpc: '2.0',
    error: { code: expected.code, message: expect.any(String) as unknown },
    id: expected.id,
  })
}
