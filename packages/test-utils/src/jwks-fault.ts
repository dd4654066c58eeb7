import type { IncomingMessage, ServerResponse } from 'node:http'
import { gzipBomb } from './gzip-bomb.js'
import { streamPaddedBody } from './padded-body.js'

/**
 * A misbehaviour of the JWKS endpoint, set with {@link JwksServer.setFault}.
 *
 * @example
 * ```ts
 * server.setFault({ kind: 'slow-body', chunkDelayMs: 200, chunks: 5 })
 * ```
 */
export type JwksFault =
  /** Answer `status` with optional headers and body (e.g. 503 with `Retry-After`). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Wait `ms` before sending anything, then answer normally. */
  | { kind: 'delay'; ms: number }
  /**
   * Send 200 headers at once, then the valid body in `chunks` pieces (default 10), each
   * preceded by `chunkDelayMs`: the body takes about `chunks * chunkDelayMs` in all.
   */
  | { kind: 'slow-body'; chunkDelayMs: number; chunks?: number }
  /** Accept the request and never answer; the socket stays open until `close()`. */
  | { kind: 'hang' }
  /** Destroy the socket with a TCP RST and no response. */
  | { kind: 'reset' }
  /**
   * 200 JSON of `bytes` bytes, streamed: whitespace then the valid document. Chunked unless
   * `contentLength` is true, so a client must count bytes rather than trust a header.
   */
  | { kind: 'huge-body'; bytes: number; contentLength?: boolean }
  /**
   * 200 with `Content-Encoding: gzip`: a body about a thousandth of `decompressedBytes` that
   * inflates to that many bytes, whitespace then the valid document.
   */
  | { kind: 'gzip-bomb'; decompressedBytes: number }
  /** Redirect to `location` (default status 302). */
  | { kind: 'redirect'; location: string; status?: number }
  /** 200 with a non-JSON body (default an HTML login page, `text/html`). */
  | { kind: 'non-json'; body?: string; contentType?: string }
  /** Serve this value as the JSON document (e.g. `{ keys: [] }`, a string, a non-key-set). */
  | { kind: 'body'; body: unknown }
  /** Serve `{ keys }`, e.g. private, weak or symmetric keys mixed with good ones. */
  | { kind: 'keys'; keys: unknown[] }

/** What a fault needs from the server it runs in. */
export interface FaultContext {
  req: IncomingMessage
  res: ServerResponse
  /** The healthy JWKS body right now. */
  body: () => string
  /** Extra headers configured with `setHeaders`. */
  extraHeaders: () => Record<string, string>
  /** Sends `body` the way a healthy answer is sent: extra headers, validators, 304. */
  sendDocument: (body: string) => void
  /** A timer that `close()` cancels, so a delayed fault cannot keep the process alive. */
  wait: (ms: number) => Promise<void>
}

const loginPage = '<!doctype html><html><head><title>Sign in</title></head><body></body></html>'

async function sendSlowly(ctx: FaultContext, chunkDelayMs: number, chunks = 10): Promise<void> {
  const { req, res } = ctx
  const body = Buffer.from(ctx.body())
  const count = Math.max(1, Math.min(chunks, body.length))
  const size = Math.ceil(body.length / count)
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': body.length,
    ...ctx.extraHeaders(),
  })
  // Headers go out now: the slowness under test is in the body, not before it.
  res.flushHeaders()
  for (let offset = 0; offset < body.length; offset += size) {
    await ctx.wait(chunkDelayMs)
    if (req.socket.destroyed) return
    res.write(body.subarray(offset, offset + size))
  }
  res.end()
}

/**
 * Answers one JWKS request according to `fault`.
 *
 * @example
 * ```ts
 * await respondWithFault({ kind: 'redirect', location: '/elsewhere' }, ctx)
 * ```
 */
export async function respondWithFault(fault: JwksFault, ctx: FaultContext): Promise<void> {
  const { req, res } = ctx
  switch (fault.kind) {
    case 'status':
      res.writeHead(fault.status, fault.headers ?? {})
      res.end(fault.body ?? '')
      return
    case 'delay':
      await ctx.wait(fault.ms)
      if (!req.socket.destroyed) ctx.sendDocument(ctx.body())
      return
    case 'slow-body':
      await sendSlowly(ctx, fault.chunkDelayMs, fault.chunks)
      return
    case 'hang':
      return
    case 'reset':
      // An RST, not a FIN: the client sees ECONNRESET, as with a crashing load balancer.
      req.socket.resetAndDestroy()
      return
    case 'huge-body': {
      const body = Buffer.from(ctx.body())
      const length = Math.max(fault.bytes, body.length)
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(fault.contentLength === true ? { 'content-length': length } : {}),
      })
      await streamPaddedBody(res, length, body)
      return
    }
    case 'gzip-bomb': {
      const compressed = gzipBomb(fault.decompressedBytes, Buffer.from(ctx.body()))
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': compressed.length,
      })
      res.end(compressed)
      return
    }
    case 'redirect':
      res.writeHead(fault.status ?? 302, { location: fault.location })
      res.end()
      return
    case 'non-json':
      res.writeHead(200, { 'content-type': fault.contentType ?? 'text/html; charset=utf-8' })
      res.end(fault.body ?? loginPage)
      return
    case 'body':
      // JSON.stringify(undefined) is undefined, not a string; serve an empty body instead.
      ctx.sendDocument(fault.body === undefined ? '' : JSON.stringify(fault.body))
      return
    case 'keys':
      ctx.sendDocument(JSON.stringify({ keys: fault.keys }))
      return
  }
}
