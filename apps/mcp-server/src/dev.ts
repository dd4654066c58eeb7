import { DEMO_RESOURCES, DEMO_SCOPES, requestToken, startDevIssuer } from '@keyward/dev-issuer'
import { listenMcpServer } from './server.js'

// One command for trying the server by hand: the dev issuer (in process, knowing this server as
// a resource) and the MCP server, plus a token per demo client. PORT fixes the MCP port.
const portText = process.env.PORT ?? '0'
if (!/^\d+$/.test(portText) || Number(portText) > 65_535) throw new TypeError('PORT: 0-65535')

const listening = await listenMcpServer({ port: Number(portText) })
const issuer = await startDevIssuer({
  resources: [...DEMO_RESOURCES, { indicator: listening.resource, scopes: DEMO_SCOPES }],
})
// The MCP Inspector's page (npx @modelcontextprotocol/inspector) runs on this origin.
const mcp = listening.serve({ issuer: issuer.url, allowedOrigins: ['http://localhost:6274'] })
console.log(`[mcp-server] listening on ${mcp.url}`)
console.log(`[mcp-server] resource metadata at ${mcp.resourceMetadata.url}`)
console.log(`[mcp-server] dev issuer at ${issuer.url}`)
for (const client of issuer.clients.filter((c) => c.clientId !== 'demo-short-lived')) {
  const { accessToken } = await requestToken({
    tokenEndpoint: issuer.tokenEndpoint,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    resource: mcp.url,
    scope: client.scopes.join(' '),
  })
  console.log(`\n${client.clientId} (${client.scopes.join(' ')}), valid 5 minutes:\n${accessToken}`)
}
console.log(`\nTry: npx @modelcontextprotocol/inspector, Streamable HTTP, URL ${mcp.url}, header`)
console.log('Authorization: Bearer <token>. Ctrl-C stops both servers.')

const stop = (): void => {
  void Promise.all([mcp.close(), issuer.close()]).then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
