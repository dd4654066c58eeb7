import { parseArgs } from 'node:util'
import { DEMO_RESOURCES, DEMO_SCOPES } from './demo-registry.js'
import { startDevIssuer, type DevIssuer, type DevIssuerEvent } from './dev-issuer.js'
import { parseDuration } from './duration.js'

const HELP = `Usage: dev-issuer [options]

A local OAuth 2.0 authorization server (oidc-provider) on 127.0.0.1 for keyward's demos.

  --port <n>                 port (default: $PORT or 0, any free port)
  --token-ttl <duration>     access token lifetime (default 5m)
  --short-token-ttl <d>      lifetime of demo-short-lived's tokens (default 2s)
  --rotate-every <duration>  rotate keys on a schedule
  --rotation-mode <mode>     overlap (publish, switch, retire) or abrupt (default overlap)
  --rotation-lead <d>        publish-to-sign delay of overlap rotations (default 10s)
  --rotation-retire <d>      sign-to-retire delay (default: the token lifetime)
  --outage <503|hang>        start with JWKS and discovery down
  --resource <uri>           also mint tokens for this API (RFC 8707 resource indicator, scopes
                             notes:read notes:write); repeatable
  --json                     one JSON object per line on stdout (for scripts)
  -h, --help

Durations: 500ms, 2s, 5m, 1h. Control API: GET /_dev/state, POST /_dev/rotate?mode=overlap|abrupt,
POST /_dev/outage?mode=503|hang|off.`

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'token-ttl': { type: 'string', default: '5m' },
    'short-token-ttl': { type: 'string', default: '2s' },
    'rotate-every': { type: 'string' },
    'rotation-mode': { type: 'string', default: 'overlap' },
    'rotation-lead': { type: 'string', default: '10s' },
    'rotation-retire': { type: 'string' },
    outage: { type: 'string' },
    resource: { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help) {
  console.log(HELP)
  process.exit(0)
}

const mode = values['rotation-mode']
if (mode !== 'overlap' && mode !== 'abrupt')
  throw new TypeError('--rotation-mode: overlap or abrupt')
const outage = values.outage
if (outage !== undefined && outage !== '503' && outage !== 'hang') {
  throw new TypeError('--outage: 503 or hang')
}
const seconds = (flag: 'token-ttl' | 'short-token-ttl'): number =>
  Math.max(1, Math.round(parseDuration(values[flag], `--${flag}`) / 1000))
const retire = values['rotation-retire']
const portText = values.port ?? process.env.PORT ?? '0'
const port = Number(portText)
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError('--port: 0-65535')

const log = values.json
  ? (event: string, data: object) => {
      console.log(JSON.stringify({ event, ...data }))
    }
  : (event: string, data: object) => {
      console.log(`[dev-issuer] ${event} ${JSON.stringify(data)}`)
    }

const issuer = await startDevIssuer({
  port,
  tokenTtlSeconds: seconds('token-ttl'),
  shortTokenTtlSeconds: seconds('short-token-ttl'),
  // An API known only at run time (an MCP server's URL holds its port) joins the demo APIs.
  resources: [
    ...DEMO_RESOURCES,
    ...values.resource.map((indicator) => ({ indicator, scopes: DEMO_SCOPES })),
  ],
  rotation: {
    leadMs: parseDuration(values['rotation-lead'], '--rotation-lead'),
    ...(retire === undefined ? {} : { retireAfterMs: parseDuration(retire, '--rotation-retire') }),
  },
  onEvent: (event: DevIssuerEvent) => {
    if (event.type === 'keys') log(`key ${event.change.type}`, event.change)
    else if (event.type === 'outage') log('outage', { mode: event.mode })
    else log('error', { message: String(event.error) })
  },
})
if (outage !== undefined) issuer.setOutage(outage)
const every = values['rotate-every']
if (every !== undefined) {
  issuer.keyRing.scheduleRotations(
    parseDuration(every, '--rotate-every'),
    mode,
    issuer.rotationTiming,
  )
}

if (values.json) log('ready', readyInfo(issuer))
else printBanner(issuer)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void issuer.close().then(() => process.exit(0))
  })
}

function readyInfo(running: DevIssuer) {
  return {
    issuer: running.url,
    jwksUri: running.jwksUri,
    tokenEndpoint: running.tokenEndpoint,
    signingKid: running.keyRing.signingKid,
    outage: running.state().outage,
    clients: running.clients,
    resources: running.resources,
  }
}

/** The lifetime of demo-short-lived's tokens, in seconds. */
function shortTtl(running: DevIssuer): number {
  return running.clients.find((c) => c.clientId === 'demo-short-lived')?.tokenTtlSeconds ?? 0
}

function printBanner(running: DevIssuer): void {
  const { url } = running
  const lines = [
    `dev-issuer listening on ${url}`,
    `  iss        ${JSON.stringify(url)}   (keyward's "issuer", exactly: no trailing slash; the JWKS is discovered)`,
    `  discovery  ${url}/.well-known/openid-configuration`,
    `  jwks       ${running.jwksUri}   (signing key ${running.keyRing.signingKid})`,
    `  token      ${running.tokenEndpoint}   (client_credentials, HTTP Basic, RFC 8707 resource, RFC 9449 DPoP)`,
    '',
    'clients (secrets are new on every start):',
    ...running.clients.map(
      (c) =>
        `  ${c.clientId.padEnd(18)} ${c.clientSecret}   ${c.scopes.join(' ')}  (${c.description})`,
    ),
    '',
    'resources (audiences):',
    ...running.resources.map((r) => `  ${r.indicator}   scopes: ${r.scopes.join(' ')}`),
    '',
    'control:',
    `  curl -X POST '${url}/_dev/rotate?mode=overlap'   # or mode=abrupt`,
    `  curl -X POST '${url}/_dev/outage?mode=503'       # or mode=hang, mode=off`,
    `  curl ${url}/_dev/state`,
    '',
    'clock tolerance:',
    `  keyward accepts a token until exp + clockToleranceMs (30 s by default), so demo-short-lived's`,
    `  ${String(shortTtl(running))} s tokens are refused about ${String(shortTtl(running) + 30)} s after issue; clockToleranceMs: 0 shows expiry on time`,
    '',
    'get a token:',
    `  curl -u demo-reader:${running.clients[0]?.clientSecret ?? ''} -d grant_type=client_credentials \\`,
    `    -d resource=${running.resources[0]?.indicator ?? ''} -d scope=notes:read ${running.tokenEndpoint}`,
    '',
    'a DPoP-bound token (cnf.jkt): demo-dpop must send a proof of its key, any client may:',
    `  add -H "DPoP: <proof>", a dpop+jwt with htm POST and htu ${running.tokenEndpoint}`,
  ]
  console.log(lines.join('\n'))
}
