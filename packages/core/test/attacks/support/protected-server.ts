import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isKeywardError, requireScopes, type Verifier } from '../../../src/index.js'
import { logger, record } from './audit.js'

/** What the server did with one request. */
export type Outcome =
  | { readonly kind: 'handled' }
  | { readonly kind: 'rejected'; readonly code: string; readonly status: number }
  | { readonly kind: 'crashed'; readonly error: unknown }

/**
 * A `node:http` app doing exactly what an adapter does: `verifier.authenticate(req)`, then the
 * protected handler, or the error's `status`, `headers` and `toJSON()` body. It counts handler
 * runs and records what each request ended as, so tests can assert the exact `code` too.
 */
export interface ProtectedServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** How often the protected handler ran. */
  readonly handlerRuns: number
  /** One entry per request that reached the app (Node's own 400/431 never do). */
  readonly outcomes: readonly Outcome[]
  close(): Promise<void>
}

export interface ProtectedServerOptions {
  /** Node's `maxHeaderSize`. @defaultValue 16384 (Node's default) */
  readonly maxHeaderSize?: number
}

/**
 * Routes: `/admin` needs the `admin` scope; every other path needs a valid token.
 */
export async function startProtectedServer(
  verifier: Verifier,
  options: ProtectedServerOptions = {},
): Promise<ProtectedServer> {
  let handlerRuns = 0
  const outcomes: Outcome[] = []

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    try {
      const auth = await verifier.authenticate({
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        method: req.method,
        // The request-target as received: DPoP's `htu` is checked against it.
        url: req.url,
        query: parseQuery(url.searchParams),
      })
      if (url.pathname === '/admin') requireScopes(auth, 'admin')
      // The protected handler.
      handlerRuns++
      outcomes.push({ kind: 'handled' })
      const body = { handled: true, sub: auth?.subject ?? null, binding: auth?.binding ?? null }
      send(res, 200, {}, JSON.stringify(body))
    } catch (error) {
      if (!isKeywardError(error)) {
        outcomes.push({ kind: 'crashed', error })
        logger.error(error)
        send(res, 500, {}, '{"error":"server_error"}')
        return
      }
      outcomes.push({ kind: 'rejected', code: error.code, status: error.status })
      logger.warn({ msg: 'request rejected', code: error.code, status: error.status })
      logger.error(error)
      send(res, error.status, error.headers, JSON.stringify(error.toJSON()))
    }
  }

  const server = createServer(
    { maxHeaderSize: options.maxHeaderSize ?? 16 * 1024 },
    (req, res) => void handle(req, res),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get handlerRuns() {
      return handlerRuns
    },
    outcomes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}

function send(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
): void {
  record('response', { status, headers, body })
  res.writeHead(status, { ...headers, 'content-type': 'application/json' })
  res.end(body)
}

/** Like Express's `req.query`: a repeated name becomes an array. */
function parseQuery(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const [name, value] of params) {
    const seen = query[name]
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]
  }
  return query
}
