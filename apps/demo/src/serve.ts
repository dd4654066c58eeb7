import { requestToken } from '@keyward/dev-issuer'
import type { Palette } from './report.js'
import type { McpHandle } from './mcp.js'
import { startStack, type Stack } from './stack.js'

/**
 * `demo --serve`: the issuer, the four APIs and the MCP server keep running; prints the URLs and
 * curl commands with fresh tokens, and stops everything on Ctrl-C.
 *
 * @example
 * ```ts
 * await serve({ logDir, paint })
 * ```
 */
export async function serve(options: {
  readonly logDir: string
  readonly paint: Palette
}): Promise<void> {
  const { paint } = options
  console.log(
    paint.dim(
      'starting the dev issuer, the Express, Koa, NestJS and Fastify APIs and the MCP server…',
    ),
  )
  const stack = await startStack({
    logDir: options.logDir,
    // Tokens live 15 minutes; overlapping rotations publish 5 s ahead and retire after 30 s.
    issuerArgs: [
      '--token-ttl=15m',
      '--short-token-ttl=2s',
      '--rotation-lead=5s',
      '--rotation-retire=30s',
    ],
    // Short key cache and skew, so rotations, outages and expiry show within seconds.
    apiEnv: { CLOCK_TOLERANCE_MS: '1000', JWKS_CACHE_MAX_AGE_MS: '5000' },
    startTimeoutMs: 60_000,
  })
  // The process group stops every child on Ctrl-C (the MCP server lives in this process); until
  // then the event loop stays busy with them.
  console.log(await instructions(stack, options.logDir, paint))
}

async function instructions(stack: Stack, logDir: string, paint: Palette): Promise<string> {
  const { issuer, apis, mcp } = stack
  const [first, second] = apis
  if (first === undefined || second === undefined) throw new Error('no APIs')
  const secret = (id: string) => issuer.clients.find((c) => c.clientId === id)?.clientSecret ?? ''
  const token = async (clientId: string, scope: string, resource = first.audience) =>
    (
      await requestToken({
        tokenEndpoint: issuer.tokenEndpoint,
        clientId,
        clientSecret: secret(clientId),
        resource,
        scope,
      })
    ).accessToken
  const reader = await token('demo-reader', 'notes:read')
  const writer = await token('demo-writer', 'notes:read notes:write')
  const mcpReader = await token('demo-reader', 'notes:read', mcp.audience)
  const h = (text: string) => paint.bold(text)
  const c = (text: string) => paint.dim(`# ${text}`)
  return [
    '',
    h('keyward demo is running') + paint.dim('  (Ctrl-C stops everything)'),
    `  dev issuer   ${issuer.issuer}`,
    ...apis.map(
      (api) => `  ${api.name.padEnd(12)} ${api.url}   ${paint.dim(`aud ${api.audience}`)}`,
    ),
    `  ${mcp.name.padEnd(12)} ${mcp.url}   ${paint.dim('aud: this URL (MCP Streamable HTTP)')}`,
    `  logs         ${logDir}`,
    '',
    h(`Tokens for ${first.name} (valid 15 minutes):`),
    `export READER=${reader}`,
    `export WRITER=${writer}`,
    '',
    h('Try:'),
    `curl -i ${first.url}/me -H "authorization: Bearer $READER"            ${c('200: who called')}`,
    `curl -i ${first.url}/me                                               ${c('401: no token')}`,
    `curl -i ${second.url}/me -H "authorization: Bearer $READER"           ${c('401: token for another API')}`,
    `curl -i -X POST ${first.url}/notes -H "authorization: Bearer $READER" ${c('403: needs notes:write')}`,
    `curl -i -X POST ${first.url}/notes -H "authorization: Bearer $WRITER" ${c('201')}`,
    `curl -s ${first.url}/healthz                                          ${c('key state, fetches by cause')}`,
    '',
    ...mcpInstructions(mcp, mcpReader, paint),
    h('A fresh token (any client, any API):'),
    `curl -s -u demo-reader:${secret('demo-reader')} -d grant_type=client_credentials \\`,
    `  -d resource=${first.audience} -d scope=notes:read ${issuer.tokenEndpoint}`,
    c(
      `demo-short-lived (secret ${secret('demo-short-lived')}) gets 2 s tokens; ` +
        `demo-writer's secret is ${secret('demo-writer')}`,
    ),
    '',
    h('Make things happen:'),
    `curl -X POST '${issuer.issuer}/_dev/rotate?mode=overlap'   ${c('publish, switch after 5 s, retire after 30 s')}`,
    `curl -X POST '${issuer.issuer}/_dev/rotate?mode=abrupt'    ${c('sign with the new key at once')}`,
    `curl -X POST '${issuer.issuer}/_dev/outage?mode=503'       ${c('or mode=hang; mode=off ends it')}`,
    `curl -s ${issuer.issuer}/_dev/state                         ${c('keys, outage, JWKS requests per API')}`,
    c('Once a rotation retires the old key, tokens it signed stop verifying: get fresh ones.'),
    '',
  ].join('\n')
}

/** The MCP part: a reader token for it, and JSON-RPC over curl (what an MCP client sends). */
function mcpInstructions(mcp: McpHandle, token: string, paint: Palette): string[] {
  const c = (text: string) => paint.dim(`# ${text}`)
  // Streamable HTTP: a client must accept both JSON and SSE answers; this server answers JSON.
  const post = (flags: string, body: object) => [
    `curl ${flags} ${mcp.url} -H "authorization: Bearer $MCP_READER" \\`,
    `  -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \\`,
    `  -d '${JSON.stringify({ jsonrpc: '2.0', id: 1, ...body })}'`,
  ]
  return [
    paint.bold(
      "The MCP server (JSON-RPC over POST; demo-reader's token for it, valid 15 minutes):",
    ),
    `export MCP_READER=${token}`,
    c('tools/list: whoami, list_notes, write_note'),
    ...post('-s', { method: 'tools/list' }),
    c('write_note needs notes:write: HTTP 403 insufficient_scope, scope="notes:write"'),
    ...post('-i', {
      method: 'tools/call',
      params: { name: 'write_note', arguments: { text: 'hi' } },
    }),
    `curl -s ${new URL('/.well-known/oauth-protected-resource/mcp', mcp.url).href}   ${c('RFC 9728 metadata')}`,
    c(`or: npx @modelcontextprotocol/inspector (Streamable HTTP, ${mcp.url}, Bearer header)`),
    '',
  ]
}
