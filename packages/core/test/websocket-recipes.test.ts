import { readFile } from 'node:fs/promises'
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import {
  expectedChallenge,
  startJwksServer,
  TestIssuer,
  type JwksServer,
} from '@keyward/test-utils'
import { Server as SocketIoServer, type Socket as SocketIoSocket } from 'socket.io'
import { io as connectSocketIo } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import {
  createVerifier,
  isKeywardError,
  KeywardError,
  type VerifiedToken,
  type Verifier,
} from '../src/index.js'

// The two recipes below are copied verbatim into docs/websockets.md; a test keeps them equal.
// recipe:start ws
/**
 * Verifies the bearer token of every WebSocket upgrade before the connection exists: the opening
 * handshake is an HTTP request (RFC 6455 §4.1), so RFC 6750's `Authorization` header applies. A
 * refused upgrade gets keyward's HTTP answer (401 with `WWW-Authenticate`, 503 with
 * `Retry-After`) and the socket is closed; an accepted one reaches `wss` with its token.
 */
export function verifyUpgrades(server: Server, wss: WebSocketServer, verifier: Verifier): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    verifier.authenticate(request).then(
      (auth) => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          wss.emit('connection', ws, request, auth)
        })
      },
      (error: unknown) => {
        // Only a KeywardError reaches here; anything else is answered 500 without detail.
        const status = isKeywardError(error) ? error.status : 500
        const headers = isKeywardError(error) ? error.headers : {}
        const head = [`HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}`]
        for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`)
        socket.end(`${[...head, 'Connection: close', 'Content-Length: 0'].join('\r\n')}\r\n\r\n`)
      },
    )
  })
}
// recipe:end ws

// recipe:start socket.io
/**
 * Socket.IO middleware: the token comes from the handshake's `auth.token` (what browsers can
 * send) or the `Authorization` header of the first request (Node clients' `extraHeaders`); two
 * of them is `invalid_request`, as in RFC 6750 §2. A refusal reaches the client as
 * `connect_error`, its `data` carrying the keyward `code` and HTTP `status`, never more.
 */
export function socketIoAuth(verifier: Verifier) {
  return (socket: SocketIoSocket, next: (error?: Error) => void): void => {
    const { token } = socket.handshake.auth as { token?: unknown }
    const verified =
      token === undefined
        ? verifier.authenticate(socket.request)
        : typeof token !== 'string' || socket.request.headers.authorization !== undefined
          ? Promise.reject(new KeywardError('invalid_request'))
          : verifier.verify(token)
    verified.then(
      (auth) => {
        ;(socket.data as { auth?: VerifiedToken }).auth = auth
        next()
      },
      (error: unknown) => {
        const code = isKeywardError(error) ? error.code : 'server_error'
        const status = isKeywardError(error) ? error.status : 500
        next(Object.assign(new Error(code), { data: { code, status } }))
      },
    )
  }
}
// recipe:end socket.io

let issuer: TestIssuer
let jwks: JwksServer
let verifier: Verifier
const closers: (() => unknown)[] = []

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  jwks = await startJwksServer({ issuer })
  verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUri: jwks.url })
})
afterAll(async () => {
  verifier.close()
  await jwks.close()
})
afterEach(async () => {
  jwks.setFault(null)
  for (const close of closers.splice(0).reverse()) await close()
})

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      }),
  )
  return `127.0.0.1:${String((server.address() as AddressInfo).port)}`
}

describe('the ws recipe', () => {
  async function start(): Promise<string> {
    const server = createServer((_, res) => res.writeHead(404).end())
    const wss = new WebSocketServer({ noServer: true })
    wss.on('connection', (ws: WebSocket, _request: IncomingMessage, auth: VerifiedToken) => {
      ws.send(JSON.stringify({ sub: auth.subject }))
    })
    closers.push(() => {
      wss.close()
    })
    verifyUpgrades(server, wss, verifier)
    return listen(server)
  }

  /** What the client saw: the first message, or the refusal's status and headers. */
  function open(
    host: string,
    headers: Record<string, string>,
  ): Promise<{ message?: unknown; status?: number; headers?: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${host}/`, { headers })
      ws.on('message', (data: Buffer) => {
        resolve({ message: JSON.parse(data.toString()) })
        ws.close()
      })
      ws.on('unexpected-response', (_request, response: IncomingMessage) => {
        resolve({ status: response.statusCode, headers: response.headers })
        response.resume()
        ws.terminate()
      })
      ws.on('error', reject)
    })
  }

  it('accepts an upgrade with a valid token and hands the connection its token', async () => {
    const host = await start()
    const reply = await open(host, { authorization: `Bearer ${issuer.mint({ sub: 'alice' })}` })
    expect(reply).toEqual({ message: { sub: 'alice' } })
  })

  it('refuses an upgrade without a token: 401 with a bare challenge', async () => {
    const host = await start()
    const reply = await open(host, {})
    expect(reply.status).toBe(401)
    expect(reply.headers?.['www-authenticate']).toBe(expectedChallenge('missing_token'))
  })

  it('refuses an upgrade with an expired token: 401 invalid_token', async () => {
    const host = await start()
    const expired = issuer.mint({ exp: Math.floor(Date.now() / 1000) - 3600 })
    const reply = await open(host, { authorization: `Bearer ${expired}` })
    expect(reply.status).toBe(401)
    expect(reply.headers?.['www-authenticate']).toBe(expectedChallenge('token_expired'))
  })

  it('answers 503 with Retry-After when no keys can be fetched', async () => {
    const host = await start()
    const down = createVerifier({
      issuer: 'https://down.test/',
      audience: issuer.audience,
      jwksUri: jwks.url,
    })
    closers.push(() => {
      down.close()
    })
    jwks.setFault({ kind: 'status', status: 503 })
    const server = createServer()
    const wss = new WebSocketServer({ noServer: true })
    verifyUpgrades(server, wss, down)
    const downHost = await listen(server)
    const reply = await open(downHost, {
      authorization: `Bearer ${issuer.mint({ iss: 'https://down.test/' })}`,
    })
    expect(reply.status).toBe(503)
    expect(reply.headers?.['retry-after']).toMatch(/^[1-9]\d*$/)
    expect(host).not.toBe(downHost)
  })
})

describe('the Socket.IO recipe', () => {
  async function start(): Promise<string> {
    const server = createServer()
    const io = new SocketIoServer(server)
    io.use(socketIoAuth(verifier))
    io.on('connection', (socket) => {
      socket.emit('hello', { sub: (socket.data as { auth: VerifiedToken }).auth.subject })
    })
    closers.push(() => io.close())
    return listen(server)
  }

  /** The first `hello`, or the `connect_error`'s message and data. */
  function connect(
    host: string,
    options: { auth?: Record<string, unknown>; extraHeaders?: Record<string, string> },
    transports: ('polling' | 'websocket')[] = ['polling', 'websocket'],
  ): Promise<{ hello?: unknown; error?: { message: string; data: unknown } }> {
    return new Promise((resolve) => {
      const socket = connectSocketIo(`http://${host}`, {
        ...options,
        transports,
        reconnection: false,
        forceNew: true,
      })
      socket.on('hello', (hello: unknown) => {
        resolve({ hello })
        socket.disconnect()
      })
      socket.on('connect_error', (error: Error & { data?: unknown }) => {
        resolve({ error: { message: error.message, data: error.data } })
        socket.disconnect()
      })
    })
  }

  it.each([
    { transports: ['polling', 'websocket'] as const },
    { transports: ['websocket'] as const },
  ])(
    'accepts a handshake whose auth.token verifies (transports $transports)',
    async ({ transports }) => {
      const host = await start()
      const reply = await connect(host, { auth: { token: issuer.mint({ sub: 'bob' }) } }, [
        ...transports,
      ])
      expect(reply).toEqual({ hello: { sub: 'bob' } })
    },
  )

  it('accepts the Authorization header of a Node client', async () => {
    const host = await start()
    const reply = await connect(host, {
      extraHeaders: { authorization: `Bearer ${issuer.mint({ sub: 'carol' })}` },
    })
    expect(reply).toEqual({ hello: { sub: 'carol' } })
  })

  const refusals: [string, () => Record<string, unknown>, string, number][] = [
    ['no token', () => ({}), 'missing_token', 401],
    [
      'a forged token',
      () => ({ auth: { token: `${issuer.mint().slice(0, -4)}AAAA` } }),
      'invalid_signature',
      401,
    ],
    ['a token that is not a string', () => ({ auth: { token: 42 } }), 'invalid_request', 400],
    [
      'both auth.token and an Authorization header',
      () => ({
        auth: { token: issuer.mint() },
        extraHeaders: { authorization: `Bearer ${issuer.mint()}` },
      }),
      'invalid_request',
      400,
    ],
  ]
  it.each(refusals)(
    'refuses %s with connect_error carrying the code and status only',
    async (_, options, code, status) => {
      const host = await start()
      const reply = await connect(host, options())
      expect(reply).toEqual({ error: { message: code, data: { code, status } } })
    },
  )
})

describe('docs/websockets.md', () => {
  it.each(['ws', 'socket.io'])('holds the %s recipe exactly as tested here', async (name) => {
    const source = await readFile(new URL(import.meta.url), 'utf8')
    const recipe = new RegExp(`// recipe:start ${name}\\n([\\s\\S]*?)// recipe:end ${name}`).exec(
      source,
    )?.[1]
    const docs = await readFile(new URL('../../../docs/websockets.md', import.meta.url), 'utf8')
    expect(recipe).toBeDefined()
    expect(docs).toContain(recipe)
  })
})
