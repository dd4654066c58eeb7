import { startMcpServer } from './server.js'

// Configuration is the environment's: ISSUER_URL (required), PORT (default 0: any free port),
// RESOURCE_URL (default http://127.0.0.1:<port>/mcp; set it when clients reach the server
// through another name, e.g. a proxy), ALLOWED_ORIGINS (default none). The resource is never
// taken from a request's Host.
const issuer = process.env.ISSUER_URL
if (issuer === undefined || issuer === '') {
  throw new TypeError('ISSUER_URL is required, e.g. ISSUER_URL=http://127.0.0.1:4000')
}
const portText = process.env.PORT ?? '0'
if (!/^\d+$/.test(portText) || Number(portText) > 65_535) throw new TypeError('PORT: 0-65535')
const resource = process.env.RESOURCE_URL === '' ? undefined : process.env.RESOURCE_URL
// ALLOWED_ORIGINS: comma-separated origins whose browser pages may call the server.
const allowedOrigins = (process.env.ALLOWED_ORIGINS ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean)

const mcp = await startMcpServer({ issuer, port: Number(portText), resource, allowedOrigins })
console.log(`[mcp-server] listening on ${mcp.url}`)
console.log(`[mcp-server] resource metadata at ${mcp.resourceMetadata.url}`)

const stop = (): void => {
  void mcp.close().then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
