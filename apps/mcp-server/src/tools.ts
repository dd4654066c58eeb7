import { KeywardError, scopeCheck, type VerifiedToken } from '@keyward/core'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import * as z from 'zod'

/**
 * The scopes each tool needs. `toolScopes` (from `@keyward/express`) enforces them over HTTP before the SDK runs (403
 * `insufficient_scope`, so a client can step up); each tool checks them again itself, in case
 * it is ever reached another way. The scope names are the dev issuer's (`notes:read`,
 * `notes:write`), so its demo clients can get tokens for this server.
 */
export const TOOL_SCOPES = {
  whoami: ['notes:read'],
  list_notes: ['notes:read'],
  write_note: ['notes:write'],
} as const satisfies Record<string, readonly string[]>

/** The scopes every session needs: advertised in `scopes_supported` and on 401 challenges. */
export const BASE_SCOPES = ['notes:read'] as const

/** A tool of this server. */
export type ToolName = keyof typeof TOOL_SCOPES

/** One note, as `list_notes` returns it. */
export interface Note {
  readonly text: string
  /** The `client_id` of the token that wrote it. */
  readonly author: string | undefined
  readonly at: string
}

/** Notes kept in memory; the oldest go first past this count. */
const MAX_NOTES = 100

const checks = Object.fromEntries(
  Object.entries(TOOL_SCOPES).map(([tool, scopes]) => [tool, scopeCheck(scopes)]),
) as Record<ToolName, ReturnType<typeof scopeCheck>>

/**
 * The caller of a tool, checked against the tool's scopes. A thrown `KeywardError` becomes an
 * `isError` tool result (the SDK's handling of a throwing tool).
 */
function caller(tool: ToolName, authInfo: AuthInfo | undefined): VerifiedToken {
  // The Streamable HTTP transport hands tools `req.auth` itself: the VerifiedToken that
  // bearerAuth verified, with its scope policy (hierarchy, challenge) attached.
  const auth = authInfo as VerifiedToken | undefined
  if (auth === undefined) throw new KeywardError('missing_token')
  checks[tool](auth)
  return auth
}

function json(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }] }
}

/**
 * Registers `whoami`, `list_notes` and `write_note` on `server`; notes live in `notes`.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'keyward-notes', version: '1.0.0' })
 * registerTools(server, [])
 * ```
 */
export function registerTools(server: McpServer, notes: Note[]): void {
  server.registerTool(
    'whoami',
    {
      description:
        'The verified caller: client id, subject, scopes, expiry, key binding. Needs notes:read.',
    },
    (extra) => {
      const auth = caller('whoami', extra.authInfo)
      const { clientId, subject, scopes, expiresAt, binding } = auth
      // `binding` is `{ type: 'dpop', jkt }` for a DPoP-bound token, absent for Bearer.
      return json({ clientId, subject, scopes, expiresAt, binding })
    },
  )
  server.registerTool(
    'list_notes',
    { description: 'Lists the notes, newest last. Needs notes:read.' },
    (extra) => {
      caller('list_notes', extra.authInfo)
      return json(notes)
    },
  )
  server.registerTool(
    'write_note',
    {
      description: "Adds a note signed with the caller's client id. Needs notes:write.",
      inputSchema: { text: z.string().min(1).max(280) },
    },
    ({ text }, extra) => {
      const auth = caller('write_note', extra.authInfo)
      const note: Note = { text, author: auth.clientId, at: new Date().toISOString() }
      notes.push(note)
      if (notes.length > MAX_NOTES) notes.splice(0, notes.length - MAX_NOTES)
      return json(note)
    },
  )
}
