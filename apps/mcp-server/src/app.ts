import {
  createVerifier,
  protectedResourceMetadata,
  type ProtectedResourceMetadata,
  type Verifier,
  type VerifierSettings,
} from '@keyward/core'
import {
  bearerAuth,
  keywardErrorHandler,
  originCheck,
  protectedResource,
  toolScopes,
} from '@keyward/express'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { hostHeaderValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import express, { type Express, type RequestHandler } from 'express'
import { BASE_SCOPES, registerTools, TOOL_SCOPES, type Note } from './tools.js'

/** What {@link createMcpApp} needs. Everything comes from configuration, never from a request. */
export interface McpAppOptions {
  /** The authorization server's issuer identifier: the only `iss` accepted, and advertised. */
  readonly issuer: string
  /**
   * The MCP endpoint's canonical URL, e.g. `http://127.0.0.1:3030/mcp`: the required token
   * audience (RFC 8707 resource) and the RFC 9728 `resource`. Its path is where MCP is served.
   */
  readonly resource: string
  /**
   * Origins whose browser pages may call the MCP endpoint (MCP Streamable HTTP: servers MUST
   * validate `Origin`; a foreign one is answered 403). Requests without `Origin` (desktop and
   * command-line clients) always pass.
   * @defaultValue `[]`: no browser page
   */
  readonly allowedOrigins?: readonly string[]
  /**
   * Further verifier settings (key cache, clock tolerance, `onEvent`, ...). `dpop` defaults to
   * `{ mode: 'allowed', publicBaseUrl: <the resource's origin> }`; a fleet of instances shares
   * a `replayStore` (`@keyward/redis`) so that a proof is used once across all of them.
   */
  readonly verifier?: Omit<VerifierSettings, 'resourceMetadata' | 'resourceMetadataUrl'>
}

/** An MCP app, ready to be served. */
export interface McpApp {
  readonly app: Express
  readonly verifier: Verifier
  readonly resourceMetadata: ProtectedResourceMetadata
}

/** The server's name in the MCP `initialize` answer. */
export const SERVER_INFO = { name: 'keyward-notes', version: '0.0.0' } as const

/** DPoP proof algorithms the server accepts and advertises (RFC 9728 §2). */
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'] as const

/**
 * Builds the Express app: RFC 9728 metadata at `/.well-known/oauth-protected-resource/<path>`
 * (public), and MCP Streamable HTTP (stateless, JSON responses) at the resource's path behind
 * `bearerAuth` (audience = the resource) and per-tool scopes.
 *
 * @example
 * ```ts
 * const { app, verifier } = createMcpApp({ issuer: 'http://127.0.0.1:4000', resource: 'http://127.0.0.1:3030/mcp' })
 * app.listen(3030, '127.0.0.1')
 * ```
 */
export function createMcpApp(options: McpAppOptions): McpApp {
  const resource = new URL(options.resource)
  // DPoP (RFC 9449) allowed: Bearer clients keep working, a client holding a key sends its
  // bound token with a proof per request, and a bound token sent as Bearer is refused. `htu`
  // is checked against the resource's own origin, never the request's Host (RFC 9449 §4.3).
  const dpop = options.verifier?.dpop ?? {
    mode: 'allowed' as const,
    publicBaseUrl: resource.origin,
    algorithms: DPOP_ALGORITHMS,
  }
  const resourceMetadata = protectedResourceMetadata({
    resource: options.resource,
    authorizationServers: [options.issuer],
    // Minimal: what every session needs. `notes:write` is obtained by step-up, when a
    // write_note call is answered 403 insufficient_scope naming it (MCP "Scope Challenge
    // Handling"), so a client never asks for more than it uses.
    scopesSupported: [...BASE_SCOPES],
    resourceName: 'keyward notes (MCP)',
    // RFC 9728 §2: a DPoP client learns the proof algorithms before its first request.
    ...(dpop.algorithms === undefined ? {} : { dpopSigningAlgValuesSupported: dpop.algorithms }),
    dpopBoundAccessTokensRequired: dpop.mode === 'required',
  })
  const verifier = createVerifier({
    ...options.verifier,
    issuer: options.issuer,
    audience: options.resource,
    resourceMetadata,
    // MCP "Scope Selection Strategy": a client asks for the 401's `scope` first.
    challengeScopes: BASE_SCOPES,
    dpop,
  })
  const notes: Note[] = []
  const app = express()
  // DNS rebinding protection (MCP transport spec): only the configured host name, and loopback,
  // may address this server. The Host header selects nothing; it is only checked.
  const hosts = new Set([resource.hostname, '127.0.0.1', 'localhost', '[::1]'])
  app.use(hostHeaderValidation([...hosts]))
  // DNS rebinding protection, second half (MCP Streamable HTTP, "Security Warning"): a page
  // of another origin gets 403 before anything else runs.
  app.use(resource.pathname, originCheck({ allowedOrigins: options.allowedOrigins ?? [] }))
  app.use(protectedResource(resourceMetadata))
  // Authenticate before reading a body: an anonymous request costs no JSON parsing.
  app.use(resource.pathname, bearerAuth(verifier))
  app.post(resource.pathname, express.json(), toolScopes(TOOL_SCOPES), handleMcp(notes))
  // Stateless: no SSE stream to open (GET) and no session to end (DELETE).
  app.all(resource.pathname, (_req, res) => {
    res
      .status(405)
      .set('allow', 'POST')
      .json({ jsonrpc: '2.0', error: { code: -32000, message: 'method not allowed' }, id: null })
  })
  app.use(keywardErrorHandler())
  return { app, verifier, resourceMetadata }
}

/** One MCP server and transport per request: the SDK's stateless Streamable HTTP pattern. */
function handleMcp(notes: Note[]): RequestHandler {
  return async (req, res, next) => {
    const server = new McpServer(SERVER_INFO)
    registerTools(server, notes)
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    })
    res.on('close', () => {
      void transport.close()
      void server.close()
    })
    try {
      await server.connect(transport)
      // `req.auth` (the VerifiedToken) becomes `extra.authInfo` in the tools.
      await transport.handleRequest(req, res, req.body)
    } catch (error) {
      next(error)
    }
  }
}
