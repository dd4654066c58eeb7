import { requestToken } from '@keyward/dev-issuer'
import type { Palette } from './report.js'
import { startStack, type ApiHandle, type IssuerInfo } from './stack.js'

/**
 * `demo --serve`: the issuer and the three APIs keep running; prints the URLs and curl commands
 * with fresh tokens, and stops everything on Ctrl-C.
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
  console.log(paint.dim('starting the dev issuer and the Express, Koa and NestJS APIs…'))
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
  // The process group stops every child on Ctrl-C; until then the event loop stays busy with them.
  console.log(await instructions(stack.issuer, stack.apis, options.logDir, paint))
}

async function instructions(
  issuer: IssuerInfo,
  apis: readonly ApiHandle[],
  logDir: string,
  paint: Palette,
): Promise<string> {
  const [first, second] = apis
  if (first === undefined || second === undefined) throw new Error('no APIs')
  const secret = (id: string) => issuer.clients.find((c) => c.clientId === id)?.clientSecret ?? ''
  const token = async (clientId: string, scope: string) =>
    (
      await requestToken({
        tokenEndpoint: issuer.tokenEndpoint,
        clientId,
        clientSecret: secret(clientId),
        resource: first.audience,
        scope,
      })
    ).accessToken
  const reader = await token('demo-reader', 'notes:read')
  const writer = await token('demo-writer', 'notes:read notes:write')
  const h = (text: string) => paint.bold(text)
  const c = (text: string) => paint.dim(`# ${text}`)
  return [
    '',
    h('keyward demo is running') + paint.dim('  (Ctrl-C stops everything)'),
    `  dev issuer   ${issuer.issuer}`,
    ...apis.map(
      (api) => `  ${api.name.padEnd(12)} ${api.url}   ${paint.dim(`aud ${api.audience}`)}`,
    ),
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
