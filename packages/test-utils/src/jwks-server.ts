import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { etagFor, isNotModified, LastModifiedClock } from './http-validators.js'
import { respondWithFault, type FaultContext, type JwksFault } from './jwks-fault.js'
import type { TestIssuer } from './test-issuer.js'

/**
 * What {@link startJwksServer} serves. Give `issuer` or `jwks`.
 *
 * @example
 * ```ts
 * // Issuer URL = server origin, for discovery tests: the issuer is read lazily.
 * let issuer: TestIssuer | undefined
 * const server = await startJwksServer({ jwks: () => issuer?.jwks(), discovery: true })
 * issuer = await TestIssuer.create({ issuer: server.origin })
 * ```
 */
export interface JwksServerOptions {
  /** Serve `issuer.jwks()`, read on every request so rotation shows immediately. */
  issuer?: TestIssuer
  /** Or a function returning the document; wins over `issuer`. */
  jwks?: () => unknown
  /** @defaultValue `'/.well-known/jwks.json'` */
  jwksPath?: string
  /**
   * Also serve `{ issuer, jwks_uri }` at `/.well-known/openid-configuration` (OIDC Discovery
   * 1.0 §4) and `/.well-known/oauth-authorization-server` (RFC 8414 §3).
   * @defaultValue `false`
   */
  discovery?: boolean
  /**
   * `issuer` of the discovery document.
   * @defaultValue `discoveryIssuer`, else `issuer.issuer`, else the server origin
   */
  discoveryIssuer?: string
  /** Replaces the discovery document (and turns discovery on). */
  discoveryDocument?: () => unknown
  /**
   * Which well-known paths serve the discovery document; the others answer 404, as on a server
   * that implements only one of the two specifications.
   * @defaultValue both `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`
   */
  discoveryPaths?: readonly string[]
  /**
   * Serve `https:` with this key and certificate (PEM), e.g. from `createTestCa().issue(...)`.
   * @defaultValue plain `http:`
   */
  tls?: { readonly key: string; readonly cert: string }
  /**
   * Decides every request before it is served, as an API server authenticating its caller:
   * `undefined` serves it, a status (401, 403) answers that status with `body`, and no document.
   * @defaultValue every request is served
   */
  authorize?: (req: IncomingMessage) => { status: number; body: unknown } | undefined
}

/**
 * One request the server received.
 *
 * @example
 * ```ts
 * expect(server.requests[0]?.headers['if-none-match']).toBe(etag)
 * ```
 */
export interface RecordedRequest {
  method: string
  /** The request target as sent: path and query. */
  path: string
  headers: IncomingHttpHeaders
  /** Arrival time, epoch milliseconds. */
  at: number
}

/**
 * A running JWKS server; see {@link startJwksServer}.
 *
 * @example
 * ```ts
 * server.setFault({ kind: 'status', status: 503 })
 * expect(server.jwksRequests).toBe(1)
 * ```
 */
export interface JwksServer {
  /** `http://127.0.0.1:PORT` (`https:` with `tls`) */
  readonly origin: string
  /** `origin` + `jwksPath` */
  readonly url: string
  /** Every request, any path, oldest first. */
  readonly requests: readonly RecordedRequest[]
  /** Requests to the JWKS path. */
  readonly jwksRequests: number
  /** 304 answers sent. */
  readonly responses304: number
  /** Misbehave on the JWKS path only; `null` restores health. */
  setFault(fault: JwksFault | null): void
  /** Replaces the extra headers on healthy JWKS answers and their 304s, e.g. `Cache-Control`. */
  setHeaders(headers: Record<string, string>): void
  /**
   * Add `ETag` (a hash of the body) and/or `Last-Modified` (a fixed date that moves when the
   * body changes) to healthy answers, and answer matching conditional requests with 304.
   * Omitted members keep their current setting; both start off.
   */
  setValidators(options: { etag?: boolean; lastModified?: boolean }): void
  /** Clears recorded requests and counters; faults, headers and validators stay. */
  reset(): void
  /** Stops listening and destroys every socket, hung ones included. */
  close(): Promise<void>
}

const discoveryPaths = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
]

/**
 * Starts a real `node:http` JWKS server on `127.0.0.1` with an ephemeral port, with fault
 * injection for every way a JWKS endpoint fails in production.
 *
 * @example
 * ```ts
 * const issuer = await TestIssuer.create()
 * const server = await startJwksServer({ issuer })
 * server.setValidators({ etag: true })
 * await fetch(server.url)
 * await server.close()
 * ```
 */
export async function startJwksServer(options: JwksServerOptions): Promise<JwksServer> {
  const { issuer, jwks } = options
  if (issuer === undefined && jwks === undefined) {
    throw new TypeError('"issuer" or "jwks" is required')
  }
  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json'
  const document = jwks ?? (() => issuer?.jwks())
  const clock = new LastModifiedClock()
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let fault: JwksFault | null = null
  let extraHeaders: Record<string, string> = {}
  let validators = { etag: false, lastModified: false }
  let jwksRequests = 0
  let responses304 = 0
  let origin = ''

  const body = (): string => {
    const value = document()
    // JSON.stringify(undefined) is undefined despite its declared type; serve an empty body.
    return value === undefined ? '' : JSON.stringify(value)
  }

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const sendDocument = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const etag = validators.etag ? etagFor(text) : undefined
    const lastModified = validators.lastModified ? clock.stamp(text) : undefined
    const headers: OutgoingHttpHeaders = {
      ...extraHeaders,
      ...(etag === undefined ? {} : { etag }),
      ...(lastModified === undefined ? {} : { 'last-modified': lastModified }),
    }
    if (isNotModified(req, etag, lastModified)) {
      responses304 += 1
      // RFC 9110 §15.4.5: a 304 repeats the validators and Cache-Control but has no content.
      res.writeHead(304, headers)
      res.end()
      return
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    })
    res.end(text)
  }

  const sendJson = (res: ServerResponse, status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/'
    requests.push({
      method: req.method ?? 'GET',
      path: target,
      headers: req.headers,
      at: Date.now(),
    })
    const pathname = target.split('?')[0] ?? target
    const refusal = options.authorize?.(req)
    if (refusal !== undefined) {
      sendJson(res, refusal.status, refusal.body)
      return
    }
    if (pathname === jwksPath) {
      jwksRequests += 1
      if (fault === null) {
        sendDocument(req, res, body())
        return
      }
      const ctx: FaultContext = {
        req,
        res,
        body,
        extraHeaders: () => extraHeaders,
        sendDocument: (text) => {
          sendDocument(req, res, text)
        },
        wait,
      }
      await respondWithFault(fault, ctx)
      return
    }
    const discovery = options.discovery === true || options.discoveryDocument !== undefined
    if (discovery && (options.discoveryPaths ?? discoveryPaths).includes(pathname)) {
      const issuerId = options.discoveryIssuer ?? issuer?.issuer ?? origin
      const doc = options.discoveryDocument?.() ?? { issuer: issuerId, jwks_uri: origin + jwksPath }
      sendJson(res, 200, doc)
      return
    }
    sendJson(res, 404, { error: 'not_found' })
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      // A throwing `jwks` callback is a test bug; answer 500 so it surfaces as a failed fetch.
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { error: 'server_error' })
    })
  }
  const server =
    options.tls === undefined ? createServer(listener) : createHttpsServer(options.tls, listener)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const scheme = options.tls === undefined ? 'http' : 'https'
  origin = `${scheme}://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  let closing: Promise<void> | undefined

  return {
    origin,
    url: origin + jwksPath,
    get requests() {
      return [...requests]
    },
    get jwksRequests() {
      return jwksRequests
    },
    get responses304() {
      return responses304
    },
    setFault(next) {
      fault = next
    },
    setHeaders(headers) {
      extraHeaders = { ...headers }
    },
    setValidators(next) {
      validators = {
        etag: next.etag ?? validators.etag,
        lastModified: next.lastModified ?? validators.lastModified,
      }
    },
    reset() {
      requests.length = 0
      jwksRequests = 0
      responses304 = 0
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => {
          resolve()
        })
        // Hung and keep-alive sockets would hold `server.close()` open forever.
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}
