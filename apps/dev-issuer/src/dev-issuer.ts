import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type Provider from 'oidc-provider'
import {
  assertValidResources,
  createDemoClients,
  DEMO_RESOURCES,
  type DemoClient,
  type DemoResource,
} from './demo-registry.js'
import {
  KeyRing,
  RotationInProgressError,
  type KeyRingChange,
  type KeyRingState,
  type RotationMode,
  type RotationStatus,
  type RotationTiming,
} from './key-ring.js'
import { MetadataCounter, type MetadataStats } from './metadata-stats.js'
import { createPersistentState, createProvider } from './provider.js'

/** `503`: key-distribution endpoints answer 503. `hang`: they never answer. `off`: healthy. */
export type OutageMode = 'off' | '503' | 'hang'

export interface DevIssuerOptions {
  /** Port on 127.0.0.1. @defaultValue 0 (any free port) */
  readonly port?: number
  /** Access token lifetime in seconds. @defaultValue 300 */
  readonly tokenTtlSeconds?: number
  /** Token lifetime of the `demo-short-lived` client, in seconds. @defaultValue 2 */
  readonly shortTokenTtlSeconds?: number
  /**
   * APIs the issuer mints tokens for; indicators must be absolute URIs without a fragment
   * (RFC 8707 §2), each listed once. To add one (what `--resource <uri>` does), pass
   * `[...DEMO_RESOURCES, { indicator, scopes: DEMO_SCOPES }]`.
   * @defaultValue {@link DEMO_RESOURCES}
   */
  readonly resources?: readonly DemoResource[]
  /**
   * Default rotation timing for the control endpoint and schedules.
   * @defaultValue `leadMs` 10 s; `retireAfterMs` the token lifetime, so no live token loses its key
   */
  readonly rotation?: Partial<RotationTiming>
  /** Receives key ring changes and outage switches, for logs. */
  readonly onEvent?: (event: DevIssuerEvent) => void
}

export type DevIssuerEvent =
  | { readonly type: 'keys'; readonly change: KeyRingChange }
  | { readonly type: 'outage'; readonly mode: OutageMode }
  | { readonly type: 'error'; readonly error: unknown }

export interface DevIssuerState {
  readonly issuer: string
  readonly keys: KeyRingState
  readonly outage: OutageMode
  /** JWKS and discovery requests per `User-Agent`. */
  readonly requests: MetadataStats
}

/** A running dev issuer. */
export interface DevIssuer {
  /** The issuer identifier (`iss`), e.g. `http://127.0.0.1:4000`. */
  readonly url: string
  readonly jwksUri: string
  readonly tokenEndpoint: string
  readonly clients: readonly DemoClient[]
  readonly resources: readonly DemoResource[]
  readonly rotationTiming: RotationTiming
  readonly keyRing: KeyRing
  /** Starts a rotation (see {@link RotationMode}); rejects while one is in progress. */
  rotate(mode?: RotationMode, timing?: Partial<RotationTiming>): Promise<RotationStatus>
  setOutage(mode: OutageMode): void
  state(): DevIssuerState
  close(): Promise<void>
}

const CONTROL_PREFIX = '/_dev/'

/**
 * Starts an oidc-provider authorization server on 127.0.0.1 with the client credentials grant,
 * resource indicators and RS256 JWT access tokens; keys are generated now. Besides the OAuth
 * endpoints it serves a control API: `GET /_dev/state`, `POST /_dev/rotate?mode=overlap|abrupt`,
 * `POST /_dev/outage?mode=503|hang|off`.
 *
 * @example
 * ```ts
 * const issuer = await startDevIssuer()
 * const token = await requestToken(issuer, { clientId: 'demo-reader', resource: 'urn:keyward:demo:koa-api' })
 * await issuer.close()
 * ```
 */
export async function startDevIssuer(options: DevIssuerOptions = {}): Promise<DevIssuer> {
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 300
  const resources = options.resources ?? DEMO_RESOURCES
  assertValidResources(resources)
  const clients = createDemoClients({ shortTokenTtlSeconds: options.shortTokenTtlSeconds ?? 2 })
  const rotationTiming: RotationTiming = {
    leadMs: options.rotation?.leadMs ?? 10_000,
    retireAfterMs: options.rotation?.retireAfterMs ?? tokenTtlSeconds * 1000,
  }
  const keyRing = await KeyRing.create()
  const counter = new MetadataCounter()
  const persistent = createPersistentState()
  const held = new Set<ServerResponse>()
  let outage: OutageMode = 'off'
  let provider: Provider | undefined
  let handle: ((req: IncomingMessage, res: ServerResponse) => unknown) | undefined

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path.startsWith(CONTROL_PREFIX)) {
      control(req, res, path.slice(CONTROL_PREFIX.length)).catch((error: unknown) => {
        options.onEvent?.({ type: 'error', error })
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' })
      })
      return
    }
    const document =
      path === '/jwks' ? 'jwks' : path.startsWith('/.well-known/') ? 'metadata' : undefined
    if (document !== undefined) {
      const agent = req.headers['user-agent'] ?? '(none)'
      counter.count(agent, document, outage === 'off' ? 'served' : 'refused')
      if (outage === '503') {
        sendJson(res, 503, { error: 'temporarily_unavailable' })
        return
      }
      if (outage === 'hang') {
        held.add(res)
        res.on('close', () => held.delete(res))
        return
      }
    }
    void handle?.(req, res)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  const rebuild = (): void => {
    provider = createProvider({
      issuer: url,
      keys: keyRing.published,
      signingKid: () => keyRing.signingKid,
      clients,
      resources,
      tokenTtlSeconds,
      persistent,
    })
    handle = provider.callback()
  }
  rebuild()
  keyRing.onChange((change) => {
    // oidc-provider fixes its keystore at construction: a new JWKS needs a new instance.
    if (change.type !== 'signing') rebuild()
    options.onEvent?.({ type: 'keys', change })
  })

  const rotate = (mode: RotationMode = 'overlap', timing: Partial<RotationTiming> = {}) =>
    keyRing.rotate(mode, { ...rotationTiming, ...timing })

  const setOutage = (mode: OutageMode): void => {
    if (mode === outage) return
    outage = mode
    if (mode !== 'hang') {
      for (const res of held) sendJson(res, 503, { error: 'temporarily_unavailable' })
      held.clear()
    }
    options.onEvent?.({ type: 'outage', mode })
  }

  const state = (): DevIssuerState => ({
    issuer: url,
    keys: keyRing.state(),
    outage,
    requests: counter.snapshot(),
  })

  async function control(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const query = new URL(req.url ?? '/', url).searchParams
    if (req.method === 'GET' && route === 'state') {
      sendJson(res, 200, state())
    } else if (req.method === 'POST' && route === 'rotate') {
      const mode = query.get('mode') ?? 'overlap'
      const leadMs = optionalMs(query.get('leadMs'))
      const retireAfterMs = optionalMs(query.get('retireAfterMs'))
      if ((mode !== 'overlap' && mode !== 'abrupt') || leadMs === null || retireAfterMs === null) {
        sendJson(res, 400, { error: 'mode must be overlap or abrupt; durations in ms' })
        return
      }
      const timing = {
        ...(leadMs === undefined ? {} : { leadMs }),
        ...(retireAfterMs === undefined ? {} : { retireAfterMs }),
      }
      try {
        sendJson(res, 202, await rotate(mode, timing))
      } catch (error) {
        if (!(error instanceof RotationInProgressError)) throw error
        sendJson(res, 409, { error: error.message, rotation: keyRing.state().rotation })
      }
    } else if (req.method === 'POST' && route === 'outage') {
      const mode = query.get('mode') ?? '503'
      if (mode !== 'off' && mode !== '503' && mode !== 'hang') {
        sendJson(res, 400, { error: 'mode must be 503, hang or off' })
        return
      }
      setOutage(mode)
      sendJson(res, 200, state())
    } else {
      sendJson(res, 404, { error: 'not found' })
    }
  }

  return {
    url,
    jwksUri: `${url}/jwks`,
    tokenEndpoint: `${url}/token`,
    clients,
    resources,
    rotationTiming,
    keyRing,
    rotate,
    setOutage,
    state,
    async close() {
      keyRing.close()
      for (const res of held) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
    },
  }
}

/** `undefined` when absent, `null` when not a non-negative integer. */
function optionalMs(value: string | null): number | undefined | null {
  if (value === null) return undefined
  return /^\d+$/.test(value) ? Number(value) : null
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}
