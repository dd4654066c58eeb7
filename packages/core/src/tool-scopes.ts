import { checkMcpHeaders, readMessage, type RequestHeaders } from './mcp-headers.js'
import { optionRecord } from './option-readers.js'
import { combineScopeChecks, scopeCheck, type ScopeCheck } from './scope-requirements.js'
import type { VerifiedToken } from './verified-token.js'
import type { ChallengeOptions } from './www-authenticate.js'

/** The parts of an HTTP request a {@link ToolScopeCheck} reads. */
export interface McpHttpRequest {
  /** The HTTP method: only `POST` carries JSON-RPC requests (MCP Streamable HTTP). */
  readonly method: string
  /** Node's request headers (lower-case names). */
  readonly headers: RequestHeaders
  /** The parsed JSON body (`express.json()`, `@koa/bodyparser`, Fastify's own parser). */
  readonly body: unknown
}

/**
 * Checks one MCP Streamable HTTP request: its standard headers against its body, then the scopes
 * of every tool it calls. Throws `JsonRpcRefusal('mcp_header_mismatch')` (400),
 * `KeywardError('insufficient_scope')` (403, `scope` = the tools' scopes) or, without a token,
 * `missing_token` (401 naming them); passes otherwise.
 */
export interface ToolScopeCheck {
  (request: McpHttpRequest, auth: VerifiedToken | undefined, challenge?: ChallengeOptions): void
  /** Each listed tool's check. */
  readonly tools: ReadonlyMap<string, ScopeCheck>
}

/**
 * Builds the per-tool scope check of an MCP server, to run over HTTP before the MCP SDK: a
 * JSON-RPC `tools/call` (alone or in a batch) of a listed tool whose scopes the token lacks is
 * refused with 403 `insufficient_scope` naming the tool's scopes, which is what lets a client
 * step up (MCP authorization, "Scope Challenge Handling") where a failing tool would only give
 * an `isError` result. Other methods and unlisted tools pass. The `Mcp-Method` / `Mcp-Name`
 * headers of revision 2026-07-28, when sent, must match the body (400 `HeaderMismatch`
 * otherwise), so a gateway and this check judge the same call. Scope names are validated now.
 *
 * @example
 * ```ts
 * const check = toolScopeCheck({ write_note: ['notes:write'], delete_note: 'notes:admin' })
 * check({ method: req.method, headers: req.headers, body: req.body }, req.auth, verifier.challenge)
 * ```
 */
export function toolScopeCheck(
  scopes: Readonly<Record<string, string | readonly string[]>>,
): ToolScopeCheck {
  const record = optionRecord(scopes, 'tool scopes')
  // A Map: a tool named `constructor` or `__proto__` finds its own entry or nothing.
  const tools = new Map<string, ScopeCheck>()
  for (const [tool, required] of Object.entries(record)) {
    if (typeof required !== 'string' && !Array.isArray(required)) {
      throw new TypeError(`the scopes of tool "${tool}" must be a string or an array of strings`)
    }
    try {
      tools.set(tool, scopeCheck(required as string | readonly string[]))
    } catch (error) {
      throw new TypeError(`tool "${tool}": ${(error as Error).message}`)
    }
  }
  const check = (
    request: McpHttpRequest,
    auth: VerifiedToken | undefined,
    challenge?: ChallengeOptions,
  ): void => {
    // MCP Streamable HTTP: JSON-RPC requests come in POST bodies; GET opens a stream, DELETE
    // ends a session.
    if (request.method !== 'POST') return
    const { body } = request
    if (typeof body !== 'object' || body === null || isBytes(body)) {
      // Without the parsed body no tool can be checked: were the body JSON, the SDK would
      // parse it itself and run the tool unchecked. Fail closed (a 500), it is a set-up error.
      if (isJson(request.headers['content-type'])) {
        throw new TypeError(
          'toolScopes needs the parsed JSON body: parse it before this check (express.json(), @koa/bodyparser, ...)',
        )
      }
      // Not JSON: the MCP SDK refuses it (415), no tool runs.
      return
    }
    const messages = (Array.isArray(body) ? (body as unknown[]) : [body]).map(readMessage)
    checkMcpHeaders(messages, request.headers)
    const needed: ScopeCheck[] = []
    for (const { method, name } of messages) {
      const tool = method === 'tools/call' && name !== undefined ? tools.get(name) : undefined
      if (tool !== undefined) needed.push(tool)
    }
    // A batch calling two tools: one challenge naming the scopes of both.
    if (needed.length > 0) combineScopeChecks(needed)(auth, challenge)
  }
  return Object.assign(check, { tools: tools })
}

function isBytes(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer
}

/** Whether a `Content-Type` is JSON (`application/json`, any parameters). */
function isJson(contentType: string | readonly string[] | undefined): boolean {
  return typeof contentType === 'string' && /^\s*application\/json\s*(;|$)/i.test(contentType)
}
