/** Why an MCP Streamable HTTP request was refused before any JSON-RPC method ran. */
export type JsonRpcRefusalCode = 'origin_not_allowed' | 'mcp_header_mismatch'

/** The JSON-RPC 2.0 error response an MCP client reads from a refused HTTP request. */
export interface JsonRpcErrorBody {
  readonly jsonrpc: '2.0'
  readonly error: { readonly code: number; readonly message: string }
  readonly id: string | number | null
}

interface RefusalSpec {
  readonly status: number
  /** JSON-RPC 2.0 §5.1 error code; -32000 to -32099 are the implementation-defined server errors. */
  readonly rpcCode: number
  readonly message: string
}

// Fixed texts: they go to clients, so they never contain request data.
const REFUSALS: Record<JsonRpcRefusalCode, RefusalSpec> = {
  // MCP Streamable HTTP, "Security Warning": an invalid Origin is answered 403, and the body
  // MAY be a JSON-RPC error response without an id (DNS rebinding protection).
  origin_not_allowed: { status: 403, rpcCode: -32000, message: 'origin not allowed' },
  // MCP 2026-07-28 Streamable HTTP, standard headers: Mcp-Method / Mcp-Name that disagree with
  // the body are HeaderMismatch (-32020), answered 400 Bad Request.
  mcp_header_mismatch: {
    status: 400,
    rpcCode: -32020,
    message: 'Mcp-Method or Mcp-Name header does not match the request body',
  },
}

const BRAND = 'keyward.json-rpc-refusal'

/**
 * An MCP transport-level refusal: the request never reaches the MCP server. It carries the
 * HTTP `status`, its `headers` (none) and a JSON-RPC error body (`toJSON()`), which adapters
 * send as they are, so any MCP client can read the failure.
 *
 * @example
 * ```ts
 * if (isJsonRpcRefusal(error)) res.status(error.status).json(error.toJSON())
 * ```
 */
export class JsonRpcRefusal extends Error {
  override readonly name = 'JsonRpcRefusal'
  /** Stable reason; branch on this. */
  readonly code: JsonRpcRefusalCode
  /** HTTP status: 403 (origin) or 400 (header mismatch). */
  readonly status: number
  /** Alias of `status` for frameworks that read `statusCode`. */
  readonly statusCode: number
  /** The message is a fixed text, safe for clients. */
  readonly expose = true
  /** No `WWW-Authenticate`: a refusal is not an authentication challenge. */
  readonly headers: Readonly<Record<string, string>> = {}
  /** The JSON-RPC error code of the body. */
  readonly rpcCode: number
  /** The JSON-RPC id of the refused request, when it had one; `null` otherwise. */
  readonly id: string | number | null

  constructor(code: JsonRpcRefusalCode, id: string | number | null = null) {
    const spec = REFUSALS[code]
    // Anyone can cause one per request: no stack to capture or print (as KeywardError).
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(spec.message)
    Error.stackTraceLimit = stackTraceLimit
    this.stack = `JsonRpcRefusal [${code}]: ${spec.message}`
    this.code = code
    this.status = spec.status
    this.statusCode = spec.status
    this.rpcCode = spec.rpcCode
    this.id = id
  }

  /** The JSON-RPC 2.0 error response (§5): `{ jsonrpc: '2.0', error: { code, message }, id }`. */
  toJSON(): JsonRpcErrorBody {
    return { jsonrpc: '2.0', error: { code: this.rpcCode, message: this.message }, id: this.id }
  }
}

Object.defineProperty(JsonRpcRefusal.prototype, Symbol.for(BRAND), { value: true })

/**
 * Whether `value` is a {@link JsonRpcRefusal}, also across two copies of the package.
 *
 * @example
 * ```ts
 * if (isJsonRpcRefusal(error)) reply.code(error.status).send(error.toJSON())
 * ```
 */
export function isJsonRpcRefusal(value: unknown): value is JsonRpcRefusal {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for(BRAND)] === true &&
    typeof (value as { code?: unknown }).code === 'string' &&
    Object.hasOwn(REFUSALS, (value as { code: string }).code)
  )
}
