import type { HealthBody } from '@keyward/demo-api-kit'
import { requestToken, type DevIssuerState, type RotationStatus } from '@keyward/dev-issuer'
import { runMcpChecks, stepUpCheck } from '@keyward/mcp-server'
import { call, post, type Answer } from './http.js'
import { keyward } from './keyward-cli.js'
import { startLoad } from './load.js'
import type { McpHandle } from './mcp.js'
import type { Row } from './report.js'
import { issuerState, startStack, type ApiHandle, type Stack } from './stack.js'
import { TokenSource } from './token-source.js'
import { runTrustAnchorRows } from './trust-anchor.js'
import { runWorkloadChecks } from './workloads.js'
import { DPOP_RESOURCE, runDpopRows } from './dpop.js'
import { sleep, waitFor } from './wait.js'

/**
 * The tour compresses an issuer's life into seconds. Every choice keeps the real mechanism:
 * - APIs cache keys for 2 s (`JWKS_CACHE_MAX_AGE_MS`) instead of keyward's 10 minutes, so
 *   scheduled refreshes, last-known-good and recovery happen while you watch.
 * - The overlapping rotation publishes the new key 3 s before signing with it: longer than the
 *   APIs' cache, so they pick the key up on their own schedule (no unknown-`kid` refresh). The
 *   old key retires 4 s after the switch: the token lifetime, so no live token loses its key.
 * - Tokens live 4 s; demo-short-lived's live 1 s and the APIs allow 1 s of clock skew
 *   (`CLOCK_TOLERANCE_MS`; keyward's default is 30 s), so "expired" takes 3 s, not minutes.
 */
export const TOUR_TIMING = {
  apiKeyCacheMs: 2000,
  clockToleranceMs: 1000,
  tokenTtlSeconds: 4,
  shortTokenTtlSeconds: 1,
  rotationLeadMs: 3000,
  rotationRetireMs: 4000,
  /** Clients renew a token this long before it expires. */
  renewBeforeMs: 1500,
  /** Concurrent request loops per API during the rotation. */
  loadWorkersPerApi: 3,
  startTimeoutMs: 45_000,
} as const

/** Key fetches as each API saw them and as the issuer counted them. */
export interface FetchRow {
  readonly api: string
  readonly jwksServed: number
  readonly jwksRefused: number
  readonly metadataServed: number
  readonly metadataRefused: number
  readonly byCause: HealthBody['jwksFetches'] | undefined
  readonly requests: number
}

export interface TourResult {
  readonly rows: readonly Row[]
  readonly fetches: readonly FetchRow[]
  readonly durationMs: number
}

// keyward's fixed error descriptions (RFC 6750 `error_description`), checked so that each 401
// is refused for the reason the scenario is about.
const EXPIRED = 'access token expired'
const WRONG_AUDIENCE = 'audience not accepted'

/** What the outage and recovery steps probe: a demo API, or the MCP server. */
type Target = ApiHandle | McpHandle

/** The MCP server's authenticated probe: a JSON-RPC call of its `whoami` tool. */
const WHOAMI = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami' } }

/**
 * Starts the dev issuer, the four APIs and the MCP server, runs every scenario with real tokens
 * and HTTP, and stops everything. `progress` receives one line per phase.
 *
 * @example
 * ```ts
 * const result = await runTour({ logDir, progress: console.log })
 * process.exitCode = result.rows.every((row) => row.ok) ? 0 : 1
 * ```
 */
export async function runTour(options: {
  readonly logDir: string
  readonly progress: (line: string) => void
}): Promise<TourResult> {
  const started = Date.now()
  const { progress } = options
  const t = TOUR_TIMING
  progress(
    'starting the dev issuer (oidc-provider), the Express, Koa, NestJS and Fastify APIs and the MCP server…',
  )
  const stack = await startStack({
    logDir: options.logDir,
    issuerArgs: [
      `--token-ttl=${t.tokenTtlSeconds}s`,
      `--short-token-ttl=${t.shortTokenTtlSeconds}s`,
      // The DPoP rows' API: demo-dpop's bound tokens name it as their audience.
      `--resource=${DPOP_RESOURCE}`,
    ],
    apiEnv: {
      CLOCK_TOLERANCE_MS: String(t.clockToleranceMs),
      JWKS_CACHE_MAX_AGE_MS: String(t.apiKeyCacheMs),
    },
    startTimeoutMs: t.startTimeoutMs,
  })
  try {
    progress(`  ready in ${seconds(Date.now() - started)}`)
    const tour = new Tour(stack)
    await tour.run(progress)
    progress(
      'governing the trust anchor: an unmanaged key, a moved jwks_uri, revokeKey under load…',
    )
    tour.rows.push(...(await runTrustAnchorRows(options.logDir)))
    progress(
      'workload identities: a JWT-SVID, a bundle rotation, a workload not allowed, a service-account token…',
    )
    tour.rows.push(...(await runWorkloadChecks(options.logDir)))
    progress(
      'DPoP: a bound token from the dev issuer, proofs, replays and the token as Bearer on two instances sharing Redis…',
    )
    tour.rows.push(...(await runDpopRows(stack.issuer)))
    const fetches = await tour.fetchRows()
    return {
      rows: tour.rows,
      fetches,
      durationMs: Date.now() - started,
    }
  } finally {
    await stack.stop()
  }
}

class Tour {
  readonly rows: Row[] = []
  readonly #stack: Stack
  readonly #requests = new Map<string, number>()
  readonly #apis: ApiHandle[]
  /** The APIs and the MCP server (then the late API), for the outage and recovery steps. */
  readonly #targets: Target[]

  constructor(stack: Stack) {
    this.#stack = stack
    this.#apis = [...stack.apis]
    this.#targets = [...stack.apis, stack.mcp]
  }

  async run(progress: (line: string) => void): Promise<void> {
    progress(`auditing the issuer: keyward audit ${this.#stack.issuer.issuer}`)
    await this.#audit(progress)
    // Short-lived tokens first: by the time the basic checks are done they are about to expire.
    const shortLived = await Promise.all(
      this.#apis.map(async (api) => ({ api, token: await this.#token('demo-short-lived', api) })),
    )
    progress('checking tokens: valid, missing, for another API, missing scope…')
    for (const api of this.#apis) await this.#basics(api)
    progress('asking why a token was refused: … | keyward explain --issuer … --audience …')
    await this.#explain(progress)
    progress('checking the MCP server with the MCP SDK client: no token, metadata, tools, scopes…')
    await this.#mcp()
    progress('waiting for the short-lived tokens to expire…')
    await this.#expired(shortLived)
    progress('rotating keys (overlap: publish, switch, retire) under load…')
    await this.#rotation()
    progress('taking the issuer down (JWKS and discovery answer 503)…')
    await this.#outage()
    progress('bringing the issuer back…')
    await this.#recovery()
  }

  async #basics(api: ApiHandle): Promise<void> {
    const reader = await this.#token('demo-reader', api, 'notes:read')
    const valid = await this.#call(api, '/me', reader)
    const caller = valid.body as { clientId?: string; scopes?: string[] } | undefined
    this.rows.push(
      this.#check('valid token (demo-reader)', api, '200 demo-reader [notes:read]', valid, () =>
        valid.status === 200 && caller?.clientId === 'demo-reader'
          ? `200 ${caller.clientId} [${(caller.scopes ?? []).join(' ')}]`
          : undefined,
      ),
    )

    const missing = await this.#call(api, '/me')
    this.rows.push(
      this.#check('no token', api, '401, bare Bearer challenge', missing, () =>
        missing.status === 401 && missing.error === undefined
          ? '401, bare Bearer challenge'
          : undefined,
      ),
    )

    const other = this.#apis[(this.#apis.indexOf(api) + 1) % this.#apis.length] ?? api
    const foreign = await this.#call(
      api,
      '/me',
      await this.#token('demo-reader', other, 'notes:read'),
    )
    this.rows.push(
      this.#check(
        'token for another API',
        api,
        `401 invalid_token (${WRONG_AUDIENCE})`,
        foreign,
        () =>
          foreign.status === 401 &&
          foreign.error === 'invalid_token' &&
          foreign.description === WRONG_AUDIENCE
            ? `401 invalid_token (${foreign.description}) [aud ${other.name}]`
            : undefined,
      ),
    )

    const readerWrites = await this.#call(api, '/notes', reader, 'POST')
    this.rows.push(
      this.#check(
        'POST /notes without notes:write',
        api,
        '403 insufficient_scope',
        readerWrites,
        () =>
          readerWrites.status === 403 && readerWrites.error === 'insufficient_scope'
            ? '403 insufficient_scope'
            : undefined,
      ),
    )

    const writer = await this.#token('demo-writer', api, 'notes:read notes:write')
    const writes = await this.#call(api, '/notes', writer, 'POST')
    this.rows.push(
      this.#check('POST /notes with notes:write', api, '201', writes, () =>
        writes.status === 201 ? '201 created' : undefined,
      ),
    )
  }

  /** `keyward audit` of the dev issuer: nothing high or critical may be found. */
  async #audit(progress: (line: string) => void): Promise<void> {
    const run = await keyward(['audit', this.#stack.issuer.issuer, '--json'])
    const report = parseJson(run.stdout) as
      | {
          counts?: Record<string, number>
          findings?: { id: string; severity: string }[]
        }
      | undefined
    const counts = report?.counts ?? {}
    const summary = ['critical', 'high', 'medium', 'low', 'info']
      .map((severity) => `${String(counts[severity] ?? '?')} ${severity}`)
      .join(', ')
    for (const item of report?.findings ?? []) progress(`  ${item.severity.padEnd(8)} ${item.id}`)
    this.rows.push({
      scenario: 'keyward audit of the issuer',
      api: 'keyward',
      expected: 'exit 0, nothing high or critical',
      got: `exit ${String(run.status)}, ${summary}`,
      ok: run.status === 0 && counts.critical === 0 && counts.high === 0,
    })
  }

  /** `keyward explain` of a token the first API refuses: one meant for another API. */
  async #explain(progress: (line: string) => void): Promise<void> {
    const [api, other] = this.#apis
    if (api === undefined || other === undefined) throw new Error('the tour needs two APIs')
    const token = await this.#token('demo-reader', other, 'notes:read')
    const run = await keyward(
      ['explain', '--issuer', this.#stack.issuer.issuer, '--audience', api.audience, '--json'],
      token,
    )
    const decision = (
      parseJson(run.stdout) as
        { decision?: { code?: string; reference?: string; details?: string[] } } | undefined
    )?.decision
    for (const line of decision?.details ?? []) progress(`  ${line}`)
    const reference = decision?.reference?.split(';')[0] ?? '?'
    this.rows.push({
      scenario: 'keyward explain of a refused token',
      api: 'keyward',
      expected: 'exit 1, invalid_audience (RFC 7519 §4.1.3)',
      got: `exit ${String(run.status)}, ${decision?.code ?? run.stderr.trim()} (${reference})`,
      ok: run.status === 1 && decision?.code === 'invalid_audience' && !run.stdout.includes(token),
    })
  }

  async #mcp(): Promise<void> {
    const { mcp } = this.#stack
    const other = this.#apis[0]
    if (other === undefined) throw new Error('no API to mint a foreign token for')
    // Fresh tokens right before the checks: the tour's tokens live 4 s.
    const [reader, writer, foreign] = await Promise.all([
      this.#token('demo-reader', mcp, 'notes:read'),
      this.#token('demo-writer', mcp, 'notes:read notes:write'),
      this.#token('demo-reader', other, 'notes:read'),
    ])
    this.rows.push(...(await runMcpChecks({ url: mcp.url, tokens: { reader, writer, foreign } })))
    // Step-up as a spec-following client does it: the SDK's own OAuth flow asks for the 401's
    // scope only, and for notes:write when write_note's 403 names it.
    const expected =
      '401 scope="notes:read", 403 scope="notes:write"; token [notes:read] → [notes:read notes:write]; written by demo-writer'
    const got = await stepUpCheck(mcp.url, {
      issuer: this.#stack.issuer.issuer,
      clientId: 'demo-writer',
      clientSecret: this.#secret('demo-writer'),
    })
    this.rows.push({
      scenario: 'MCP: step-up, SDK OAuth flow (demo-writer)',
      api: mcp.name,
      expected,
      got,
      ok: got === expected,
    })
  }

  async #expired(tokens: readonly { api: ApiHandle; token: string }[]): Promise<void> {
    for (const { api, token } of tokens) {
      // Past `exp` plus the APIs' clock tolerance, by the issuer's own `exp`.
      const payload = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()
      const { exp } = JSON.parse(payload) as { exp: number }
      const wait = exp * 1000 + TOUR_TIMING.clockToleranceMs + 200 - Date.now()
      if (wait > 0) await sleep(wait)
      const answer = await this.#call(api, '/me', token)
      this.rows.push(
        this.#check(
          `expired token (${TOUR_TIMING.shortTokenTtlSeconds} s lifetime)`,
          api,
          `401 invalid_token (${EXPIRED})`,
          answer,
          () =>
            answer.status === 401 &&
            answer.error === 'invalid_token' &&
            answer.description === EXPIRED
              ? `401 invalid_token (${answer.description})`
              : undefined,
        ),
      )
    }
  }

  async #rotation(): Promise<void> {
    const t = TOUR_TIMING
    const { issuer } = this.#stack
    const before = await this.#healths()
    const targets = this.#apis.map((api) => ({
      name: api.name,
      url: `${api.url}/me`,
      tokens: new TokenSource(
        {
          tokenEndpoint: issuer.tokenEndpoint,
          clientId: 'demo-reader',
          clientSecret: this.#secret('demo-reader'),
          resource: api.audience,
          scope: 'notes:read',
        },
        t.renewBeforeMs,
      ),
    }))
    const load = startLoad(targets, t.loadWorkersPerApi)
    let results: Awaited<ReturnType<typeof load.stop>>
    let rotation: RotationStatus
    try {
      await sleep(500)
      rotation = await post<RotationStatus>(
        `${issuer.issuer}/_dev/rotate?mode=overlap&leadMs=${t.rotationLeadMs}&retireAfterMs=${t.rotationRetireMs}`,
      )
      const budget = t.rotationLeadMs + t.rotationRetireMs + 10_000
      await waitFor('the rotation to complete', budget, async () => {
        const state = await issuerState<DevIssuerState>(issuer)
        return state.keys.completedRotations >= 1
      })
      // The APIs drop the retired key at their next refresh: a removed key stops verifying.
      await waitFor('every API to drop the retired key', 15_000, async () => {
        const healths = await this.#healths()
        return healths.every((h) => sameKeys(h, [rotation.newKid]))
      })
      await sleep(300)
    } finally {
      results = await load.stop()
    }
    const after = await this.#healths()
    this.#apis.forEach((api, i) => {
      const result = results.get(api.name)
      if (result === undefined) return
      this.#count(api, result.requests)
      const unknownKid =
        (after[i]?.jwksFetches.unknown_kid ?? 0) - (before[i]?.jwksFetches.unknown_kid ?? 0)
      const keys = after[i]?.issuers[0]?.keyIds.join(',') ?? '?'
      const ok =
        result.failures === 0 &&
        result.kids.includes(rotation.oldKid) &&
        result.kids.includes(rotation.newKid) &&
        keys === rotation.newKid
      this.rows.push({
        scenario: 'key rotation under load',
        api: api.name,
        expected: `0 failed; ${rotation.oldKid} → ${rotation.newKid}`,
        got:
          `${result.failures}/${result.requests} failed${samples(result.failureSamples)}; ` +
          `${result.kids.join(' → ')}${keys === rotation.newKid ? '' : ` (keys now ${keys})`}; ` +
          `${unknownKid} unknown-kid`,
        ok,
      })
    })
  }

  async #outage(): Promise<void> {
    const { issuer } = this.#stack
    await post(`${issuer.issuer}/_dev/outage?mode=503`)
    // Past the 2 s key cache, each API's refresh fails and it serves its last-known-good keys.
    await waitFor('every API to notice the outage', 15_000, async () => {
      const healths = await this.#healths(this.#targets)
      return healths.every((h) => h.status === 'stale')
    })
    for (const target of this.#targets) {
      const answer = await this.#authenticated(
        target,
        await this.#token('demo-reader', target, 'notes:read'),
      )
      const health = await this.#health(target)
      const { ok, at } = probeNames(target)
      this.rows.push(
        this.#check(
          'issuer down: last-known-good keys',
          target,
          `${ok}; ${at} 200 stale`,
          answer,
          () =>
            succeeded(target, answer) && health.status === 200 && health.body.status === 'stale'
              ? `${ok}; ${at} ${health.status} ${health.body.status} (last error: ${health.body.issuers[0]?.lastError ?? '?'})`
              : undefined,
        ),
      )
    }
    const express = this.#apis[0]
    if (express === undefined) return
    const late = await this.#stack.startApi('late-api', express.app, express.audience)
    this.#apis.push(late)
    this.#targets.push(late)
    const answer = await this.#call(
      late,
      '/me',
      await this.#token('demo-reader', late, 'notes:read'),
    )
    const health = await this.#health(late)
    this.rows.push(
      this.#check(
        'API started during the outage',
        late,
        '503 + Retry-After; /healthz 503',
        answer,
        () =>
          answer.status === 503 && answer.retryAfter !== undefined && health.status === 503
            ? `503, Retry-After: ${answer.retryAfter}; /healthz ${health.status} ${health.body.status}`
            : undefined,
      ),
    )
  }

  async #recovery(): Promise<void> {
    const { issuer } = this.#stack
    await post(`${issuer.issuer}/_dev/outage?mode=off`)
    const back = Date.now()
    // Each API retries on its own backoff (no request triggers a fetch during backoff).
    const rows = await Promise.all(
      this.#targets.map(async (target) => {
        const recovered = await waitFor(`${target.name} to recover`, 30_000, async () => {
          const { body } = await this.#health(target)
          return body.status === 'ok'
        }).then(
          () => Date.now() - back,
          () => undefined,
        )
        const token = await this.#token('demo-reader', target, 'notes:read')
        const answer = await this.#authenticated(target, token)
        const { ok, at } = probeNames(target)
        return this.#check('issuer back', target, `${ok}; ${at} ok`, answer, () =>
          succeeded(target, answer) && recovered !== undefined
            ? `${ok}; ${at} ok ${seconds(recovered)} after the issuer came back`
            : undefined,
        )
      }),
    )
    this.rows.push(...rows)
  }

  /** Key fetches per API: the issuer's count by `User-Agent` and the API's count by cause. */
  async fetchRows(): Promise<FetchRow[]> {
    const state = await issuerState<DevIssuerState>(this.#stack.issuer)
    return Promise.all(
      this.#targets.map(async (target) => {
        const counts = state.requests[`keyward-demo/${target.name}`]
        const health = await this.#health(target).catch(() => undefined)
        return {
          api: target.name,
          jwksServed: counts?.jwks.served ?? 0,
          jwksRefused: counts?.jwks.refused ?? 0,
          metadataServed: counts?.metadata.served ?? 0,
          metadataRefused: counts?.metadata.refused ?? 0,
          byCause: health?.body.jwksFetches,
          requests:
            target.kind === 'mcp' ? target.requests() : (this.#requests.get(target.name) ?? 0),
        }
      }),
    )
  }

  /** A row: `verdict` describes the answer when it is the expected one, else `undefined`. */
  #check(
    scenario: string,
    target: Target,
    expected: string,
    answer: Answer,
    verdict: () => string | undefined,
  ): Row {
    const got = verdict()
    return {
      scenario,
      api: target.name,
      expected,
      got: got ?? describe(answer),
      ok: got !== undefined,
    }
  }

  async #call(api: ApiHandle, path: string, token?: string, method = 'GET'): Promise<Answer> {
    this.#count(api, 1)
    return call(`${api.url}${path}`, { token, method })
  }

  #count(api: ApiHandle, requests: number): void {
    this.#requests.set(api.name, (this.#requests.get(api.name) ?? 0) + requests)
  }

  async #token(clientId: string, target: Target, scope?: string): Promise<string> {
    const response = await requestToken({
      tokenEndpoint: this.#stack.issuer.tokenEndpoint,
      clientId,
      clientSecret: this.#secret(clientId),
      resource: target.audience,
      ...(scope === undefined ? {} : { scope }),
    })
    return response.accessToken
  }

  #secret(clientId: string): string {
    const client = this.#stack.issuer.clients.find((c) => c.clientId === clientId)
    if (client === undefined) throw new Error(`the dev issuer has no client ${clientId}`)
    return client.clientSecret
  }

  /** One authenticated request: `GET /me`, or the MCP server's `whoami` tool. */
  #authenticated(target: Target, token: string): Promise<Answer> {
    if (target.kind === 'http') return this.#call(target, '/me', token)
    // The MCP server counts its own requests (see `McpHandle.requests`).
    return call(target.url, { method: 'POST', token, json: WHOAMI })
  }

  /** `/healthz`; for the MCP server, the same report read from its verifier in this process. */
  async #health(target: Target): Promise<{ status: number; body: HealthBody }> {
    if (target.kind === 'mcp') return target.health()
    const response = await fetch(`${target.url}/healthz`, { signal: AbortSignal.timeout(10_000) })
    return { status: response.status, body: (await response.json()) as HealthBody }
  }

  #healths(targets: readonly Target[] = this.#apis): Promise<HealthBody[]> {
    return Promise.all(targets.map(async (target) => (await this.#health(target)).body))
  }
}

/** How rows name a target's authenticated answer and its health report. */
function probeNames(target: Target): { ok: string; at: string } {
  return target.kind === 'mcp'
    ? { ok: '200 whoami', at: 'health()' }
    : { ok: '200', at: '/healthz' }
}

/** A 200, and for the MCP server a tool result rather than a JSON-RPC or tool error. */
function succeeded(target: Target, answer: Answer): boolean {
  if (answer.status !== 200) return false
  if (target.kind === 'http') return true
  const body = answer.body as { result?: { isError?: boolean } } | null
  return body?.result !== undefined && body.result.isError !== true
}

function sameKeys(health: HealthBody, kids: readonly string[]): boolean {
  const keyIds = health.issuers[0]?.keyIds ?? []
  return keyIds.length === kids.length && kids.every((kid) => keyIds.includes(kid))
}

function samples(failures: readonly string[]): string {
  return failures.length === 0 ? '' : ` (${failures.join(', ')})`
}

function describe(answer: Answer): string {
  const parts = [String(answer.status)]
  if (answer.error !== undefined) parts.push(answer.error)
  if (answer.description !== undefined) parts.push(`(${answer.description})`)
  if (answer.retryAfter !== undefined) parts.push(`Retry-After: ${answer.retryAfter}`)
  return parts.join(' ')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `1.2 s` */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
