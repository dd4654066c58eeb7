import { JsonRpcRefusal } from './json-rpc-refusal.js'

/** Request headers as Node gives them: lower-case names, a string (or a list for some). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/** The first protocol revision whose clients send `Mcp-Method` and `Mcp-Name` (SEP-2243). */
export const STANDARD_HEADERS_REVISION = '2026-07-28'

/** The JSON-RPC request fields these checks read. */
export interface JsonRpcMessage {
  readonly method: string | undefined
  /** `params.name` of `tools/call` and `prompts/get`, `params.uri` of `resources/read`. */
  readonly name: string | undefined
  readonly id: string | number | null
}

/** The fields of one JSON-RPC message that the standard headers mirror. */
export function readMessage(message: unknown): JsonRpcMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { method: undefined, name: undefined, id: null }
  }
  const { method, params, id } = message as { method?: unknown; params?: unknown; id?: unknown }
  const text = typeof method === 'string' ? method : undefined
  const key = text === 'resources/read' ? 'uri' : 'name'
  const named = text === 'tools/call' || text === 'prompts/get' || text === 'resources/read'
  const value =
    named && typeof params === 'object' && params !== null
      ? (params as Record<string, unknown>)[key]
      : undefined
  return {
    method: text,
    // An own property only: `params` is request data.
    name: typeof value === 'string' && Object.hasOwn(params as object, key) ? value : undefined,
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
  }
}

/**
 * Checks the MCP 2026-07-28 standard headers against the body (Streamable HTTP, SEP-2243):
 * `Mcp-Method` mirrors `method`, `Mcp-Name` the tool or prompt name or resource URI, so that
 * gateways and rate limiters can act on them without reading the body; servers reject a request
 * whose headers and body disagree (`HeaderMismatch`, -32020, 400), or it would be authorised on
 * one name and run another. A header that is present must match every message; a client that
 * declares revision 2026-07-28 or later in `MCP-Protocol-Version` must send them. Clients of
 * earlier revisions send neither, and pass.
 */
export function checkMcpHeaders(
  messages: readonly JsonRpcMessage[],
  headers: RequestHeaders,
): void {
  const method = headerValue(headers['mcp-method'])
  const name = headerValue(headers['mcp-name'])
  const required = requiresStandardHeaders(headers['mcp-protocol-version'])
  const id = messages.length === 1 ? (messages[0]?.id ?? null) : null
  for (const message of messages) {
    const nameExpected = message.name !== undefined
    const ok =
      (method === undefined
        ? !required
        : method !== INVALID && message.method !== undefined && method === message.method) &&
      (name === undefined
        ? !(required && nameExpected)
        : name !== INVALID && nameExpected && name === message.name)
    if (!ok) throw new JsonRpcRefusal('mcp_header_mismatch', id)
  }
}

/** A header value that cannot be read: repeated, or badly encoded. */
const INVALID: unique symbol = Symbol('invalid header')

/**
 * The value of a standard header, decoded: SEP-2243 sends a value that is not plain ASCII as
 * `=?base64?<RFC 4648 §4 base64 of its UTF-8>?=`.
 */
export function headerValue(
  value: string | readonly string[] | undefined,
): string | typeof INVALID | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') return value.length === 1 ? headerValue(value[0]) : INVALID
  const encoded = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/i.exec(value)
  if (encoded === null) return value
  const text = encoded[1] ?? ''
  if (text.length % 4 !== 0) return INVALID
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return INVALID
  }
}

/** Whether `MCP-Protocol-Version` names a revision whose clients send the standard headers. */
function requiresStandardHeaders(version: string | readonly string[] | undefined): boolean {
  // Revisions are dates (YYYY-MM-DD), so they compare as strings.
  return (
    typeof version === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(version) &&
    version >= STANDARD_HEADERS_REVISION
  )
}
