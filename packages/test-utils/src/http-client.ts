import { request } from 'node:http'
import { connect } from 'node:net'

/** An HTTP answer as the client saw it (shared by the contract, attack and core suites). */
export interface HttpReply {
  readonly status: number
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
}

/** A GET through `fetch`. */
export async function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const response = await fetch(url, { headers, redirect: 'manual' })
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  }
}

/**
 * A request through `node:http`, which (unlike `fetch`) sends the `Host` header it is given and
 * any method, `HEAD` included.
 */
export function nodeHttpRequest(
  url: string,
  { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (response) => {
      let body = ''
      response.setEncoding('latin1')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => {
        const headers: Record<string, string | undefined> = {}
        for (const [name, value] of Object.entries(response.headers)) {
          headers[name] = Array.isArray(value) ? value.join(', ') : value
        }
        resolve({ status: response.statusCode ?? 0, headers, body })
      })
    })
      .on('error', reject)
      .end()
  })
}

/**
 * A GET written byte for byte over `node:net`, for what `fetch` refuses to send: two
 * `Authorization` lines, tabs, control and obs-text bytes, headers past Node's limit.
 */
export function rawHttpGet(
  url: string,
  headerLines: readonly (string | Buffer)[],
): Promise<HttpReply> {
  const { hostname, port, pathname, search } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A server may reset the connection right after answering a request it refused.
    socket.on('error', (error) => {
      if (chunks.length === 0) reject(error)
    })
    socket.on('close', () => {
      if (chunks.length === 0) reject(new Error('connection closed without a response'))
      else resolve(parseReply(Buffer.concat(chunks)))
    })
    const head = `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n`
    const lines = headerLines.map((l) => (typeof l === 'string' ? Buffer.from(l, 'latin1') : l))
    const crlf = Buffer.from('\r\n')
    socket.end(Buffer.concat([Buffer.from(head), ...lines.flatMap((l) => [l, crlf]), crlf]))
  })
}

function parseReply(raw: Buffer): HttpReply {
  const text = raw.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = text.slice(0, end < 0 ? text.length : end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = name in headers ? `${headers[name] ?? ''}, ${value}` : value
  }
  const rest = end < 0 ? '' : text.slice(end + 4)
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

function dechunk(text: string): string {
  let out = ''
  let at = 0
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at)
    const size = lineEnd < 0 ? 0 : parseInt(text.slice(at, lineEnd), 16)
    if (!(size > 0)) return out
    out += text.slice(lineEnd + 2, lineEnd + 2 + size)
    at = lineEnd + 2 + size + 2
  }
}
