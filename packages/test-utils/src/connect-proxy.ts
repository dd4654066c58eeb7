import { createServer, type IncomingHttpHeaders } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/** One tunnel a client asked the proxy for. */
export interface ProxiedConnect {
  /** The CONNECT target, `host:port` (RFC 9110 §9.3.6). */
  readonly target: string
  readonly headers: IncomingHttpHeaders
}

/**
 * A running forward proxy; see {@link startConnectProxy}.
 *
 * @example
 * ```ts
 * expect(proxy.connects.map((c) => c.target)).toEqual([`127.0.0.1:${port}`])
 * ```
 */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** Every CONNECT received, oldest first. */
  readonly connects: readonly ProxiedConnect[]
  /** Requests in absolute form (`GET http://host/path`), which this proxy refuses with 405. */
  readonly forwardRequests: readonly string[]
  close(): Promise<void>
}

/**
 * Starts a real HTTP proxy on `127.0.0.1` that tunnels `CONNECT host:port` (RFC 9110 §9.3.6)
 * to loopback targets only, and records what it was asked: enough to show a client's fetches
 * went through a proxy, TLS included (the proxy sees the target, never the bytes).
 *
 * @example
 * ```ts
 * const proxy = await startConnectProxy()
 * createVerifier({ ..., jwks: { proxy: { url: proxy.url } } })
 * ```
 */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: ProxiedConnect[] = []
  const forwardRequests: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    forwardRequests.push(`${req.method ?? ''} ${req.url ?? ''}`)
    res.writeHead(405).end()
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? ''
    connects.push({ target, headers: req.headers })
    const match = /^(127\.0\.0\.1|localhost):(\d+)$/.exec(target)
    if (match === null) {
      // Loopback only: a test never reaches beyond the machine.
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    const upstream = connect(Number(match[2]), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${String(port)}`,
    connects,
    forwardRequests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          resolve()
        })
      }),
  }
}
