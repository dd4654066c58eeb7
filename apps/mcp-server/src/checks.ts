import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js'
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { SERVER_INFO } from './app.js'

/** Tokens the checks use, all from the same authorization server. */
export interface McpCheckTokens {
  /** For this server (audience = its URL), with `notes:read` only: `demo-reader`'s. */
  readonly reader: string
  /** For this server, with `notes:read notes:write`: `demo-writer`'s. */
  readonly writer: string
  /** Valid, but for another API (another audience). */
  readonly foreign: string
}

/** One verdict line; the same shape as the demo tour's `Row`. */
export interface McpCheckRow {
  readonly scenario: string
  readonly api: string
  readonly expected: string
  readonly got: string
  readonly ok: boolean
}

/** A refused HTTP exchange, as the MCP client saw it. */
export interface Refusal {
  readonly status: number
  /** `error`, `scope` and `resource_metadata` of `WWW-Authenticate`, parsed by the SDK. */
  readonly error: string | undefined
  readonly scope: string | undefined
  readonly resourceMetadata: string | undefined
}

/**
 * The SDK's Streamable HTTP client transport for `url`, sending `token` as a bearer token (or
 * running the SDK's OAuth flow through `authProvider`). Its `fetch` reports every non-2xx answer
 * to `onRefusal`, so a caller can see the status and challenge behind an SDK error.
 *
 * @example
 * ```ts
 * await new Client({ name: 'me', version: '1' }).connect(mcpClientTransport(url, { token }))
 * ```
 */
export function mcpClientTransport(
  url: string,
  options: {
    readonly token?: string
    readonly authProvider?: OAuthClientProvider
    readonly onRefusal?: (refusal: Refusal) => void
  },
): StreamableHTTPClientTransport {
  const { token, authProvider, onRefusal } = options
  return new StreamableHTTPClientTransport(new URL(url), {
    requestInit:
      token === undefined ? undefined : { headers: { authorization: `Bearer ${token}` } },
    authProvider,
    fetch: async (input, init) => {
      const response = await fetch(input, init)
      if (!response.ok) {
        const { error, scope, resourceMetadataUrl } = extractWWWAuthenticateParams(response)
        onRefusal?.({
          status: response.status,
          error,
          scope,
          resourceMetadata: resourceMetadataUrl?.href,
        })
      }
      return response
    },
  })
}

/** The text of a tool result's first content block, parsed as JSON. */
function resultJson(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  const [first] = result.content as { type: string; text?: string }[]
  return first?.type === 'text' ? JSON.parse(first.text ?? 'null') : undefined
}

/** `401 invalid_token` style summary of an SDK error. */
function describeFailure(error: unknown, refusal: Refusal | undefined): string {
  const status = error instanceof StreamableHTTPError ? error.code : refusal?.status
  const parts = [String(status ?? (error instanceof Error ? error.name : 'error'))]
  if (refusal?.error !== undefined) parts.push(refusal.error)
  if (refusal?.scope !== undefined) parts.push(`scope="${refusal.scope}"`)
  if (refusal?.resourceMetadata !== undefined) parts.push('+ resource_metadata')
  return parts.join(' ')
}

/**
 * Runs the MCP authorization story against a running server with the SDK's own client, and
 * returns one row per step (for the demo tour): no token → 401 with `scope` and
 * `resource_metadata`; the metadata at both well-known paths (minimal `scopes_supported`); a
 * foreign `Origin` → 403; an `Mcp-Name` naming another tool → 400; a reader connects, lists tools and calls `whoami`; the
 * reader's `write_note` → 403 `insufficient_scope` with `scope="notes:write"`; the writer's
 * `write_note` succeeds; a token for another API → 401 `invalid_token`.
 *
 * @example
 * ```ts
 * const rows = await runMcpChecks({ url: 'http://127.0.0.1:3030/mcp', tokens: { reader, writer, foreign } })
 * ```
 */
export async function runMcpChecks(options: {
  /** The MCP endpoint: its canonical URL. */
  readonly url: string
  readonly tokens: McpCheckTokens
}): Promise<McpCheckRow[]> {
  const { url, tokens } = options
  const rows: McpCheckRow[] = []
  const row = (scenario: string, expected: string, got: string): void => {
    rows.push({ scenario, api: 'mcp-server', expected, got, ok: got === expected })
  }
  /** Connects with `token` and runs `run`; a failure is summed up as status and challenge. */
  const attempt = async (token: string | undefined, run: (client: Client) => Promise<string>) => {
    let refusal: Refusal | undefined
    const client = new Client({ name: 'keyward-mcp-checks', version: SERVER_INFO.version })
    try {
      const onRefusal = (seen: Refusal) => {
        refusal = seen
      }
      await client.connect(mcpClientTransport(url, { token, onRefusal }))
      return await run(client)
    } catch (error) {
      return describeFailure(error, refusal)
    } finally {
      await client.close()
    }
  }

  // 1. No token: the SDK client fails to initialize; the challenge says where the metadata is.
  const anonymous = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: '{}',
  })
  const { resourceMetadataUrl } = extractWWWAuthenticateParams(anonymous)
  await anonymous.body?.cancel()
  const metadataUrl = resourceMetadataUrl?.href
  row(
    'MCP: connect without a token',
    '401 scope="notes:read" + resource_metadata',
    await attempt(undefined, () => Promise.resolve('connected')),
  )

  // 2. The metadata the challenge points at, and the bare well-known path.
  const documents = await Promise.all(
    [metadataUrl, new URL('/.well-known/oauth-protected-resource', url).href].map(async (at) => {
      if (at === undefined) return 'no resource_metadata'
      const response = await fetch(at)
      const body = (await response.json()) as { resource?: unknown; scopes_supported?: unknown }
      return `${response.status} resource=${String(body.resource)} scopes_supported=${String(body.scopes_supported)}`
    }),
  )
  row(
    'MCP: RFC 9728 metadata (both paths), minimal scopes',
    `200 resource=${url} scopes_supported=notes:read`,
    [...new Set(documents)].join('; '),
  )

  // 2b. Transport rules before any tool runs: Origin (DNS rebinding) and the 2026-07-28
  // Mcp-Name header, which must name the tool the body calls.
  const refusal = async (headers: Record<string, string>, body: unknown): Promise<string> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(body),
    })
    const answer = (await response.json()) as { error?: { code?: unknown } }
    return `${response.status} JSON-RPC ${String(answer.error?.code)}`
  }
  const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
  row(
    'MCP: request from a foreign Origin (DNS rebinding)',
    '403 JSON-RPC -32000',
    await refusal(
      { authorization: `Bearer ${tokens.writer}`, origin: 'https://rebinding.example' },
      listTools,
    ),
  )
  row(
    'MCP: Mcp-Name naming another tool than the body',
    '400 JSON-RPC -32020',
    await refusal(
      {
        authorization: `Bearer ${tokens.reader}`,
        'mcp-method': 'tools/call',
        'mcp-name': 'whoami',
      },
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'write_note', arguments: { text: 'smuggled' } },
      },
    ),
  )

  // 3. The reader: connect, list tools, call whoami.
  row(
    'MCP: list tools (demo-reader)',
    'list_notes, whoami, write_note',
    await attempt(tokens.reader, async (client) => {
      const { tools } = await client.listTools()
      return tools
        .map((tool) => tool.name)
        .sort()
        .join(', ')
    }),
  )
  row(
    'MCP: call whoami (demo-reader)',
    'demo-reader [notes:read]',
    await attempt(tokens.reader, async (client) => {
      const who = resultJson(await client.callTool({ name: 'whoami' })) as {
        clientId?: string
        scopes?: string[]
      }
      return `${who.clientId ?? '?'} [${(who.scopes ?? []).join(' ')}]`
    }),
  )

  // 4. A tool needing a scope the token lacks: HTTP 403, so the client could step up.
  row(
    'MCP: write_note without notes:write',
    '403 insufficient_scope scope="notes:write" + resource_metadata',
    await attempt(tokens.reader, async (client) => {
      await client.callTool({ name: 'write_note', arguments: { text: 'hello' } })
      return 'called'
    }),
  )
  row(
    'MCP: write_note (demo-writer)',
    'written by demo-writer',
    await attempt(tokens.writer, async (client) => {
      const note = resultJson(
        await client.callTool({ name: 'write_note', arguments: { text: 'hello from the tour' } }),
      ) as { author?: string }
      return `written by ${note.author ?? '?'}`
    }),
  )

  // 5. A valid token minted for another API.
  row(
    'MCP: token for another API',
    '401 invalid_token scope="notes:read" + resource_metadata',
    await attempt(tokens.foreign, () => Promise.resolve('connected')),
  )
  return rows
}
