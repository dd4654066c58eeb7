import { scopeCheck, type ScopeCheck } from '@keyward/core'
import type { RequestHandler } from 'express'

/**
 * Enforces per-tool scopes over HTTP, before the MCP SDK handles the request: a JSON-RPC
 * `tools/call` (alone or in a batch) naming a tool whose scopes `req.auth` lacks goes to
 * `next(err)` with `insufficient_scope`, which answers 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the tool's scopes>",
 * resource_metadata="…"`. That is what the MCP authorization spec asks of a server, and what
 * lets a client step up (ask for a token with more scopes) instead of failing. Other messages,
 * and tools not listed, pass. Mount after `bearerAuth` and `express.json()`.
 *
 * @example
 * ```ts
 * app.post('/mcp', bearerAuth(verifier), express.json(), toolScopes({ write_note: ['notes:write'] }), handleMcp)
 * ```
 */
export function toolScopes(scopes: Readonly<Record<string, readonly string[]>>): RequestHandler {
  // A Map: a tool named `constructor` or `__proto__` must not find anything but its own entry.
  const checks = new Map<string, ScopeCheck>(
    Object.entries(scopes).map(([tool, required]) => [tool, scopeCheck(required)]),
  )
  return (req, _res, next) => {
    const body: unknown = req.body
    try {
      for (const message of Array.isArray(body) ? (body as unknown[]) : [body]) {
        const tool = calledTool(message)
        if (tool !== undefined) checks.get(tool)?.(req.auth)
      }
    } catch (error) {
      next(error)
      return
    }
    next()
  }
}

/** The tool name of a JSON-RPC `tools/call` request, if `message` is one. */
function calledTool(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined
  const { method, params } = message as { method?: unknown; params?: unknown }
  if (method !== 'tools/call' || typeof params !== 'object' || params === null) return undefined
  const { name } = params as { name?: unknown }
  return typeof name === 'string' ? name : undefined
}
