import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** An https listener on 127.0.0.1 that forwards every request to a loopback http origin. */
export interface HttpsFront {
  /** `https://127.0.0.1:PORT` */
  readonly origin: string
  /** The self-signed certificate to trust (PEM). */
  readonly ca: string
  close(): Promise<void>
}

/**
 * A throw-away self-signed certificate for `127.0.0.1`, made with the `openssl` command at run
 * time (no key is ever committed).
 */
function selfSignedCertificate(): { key: string; cert: string } {
  certificate ??= makeCertificate()
  return certificate
}

let certificate: { key: string; cert: string } | undefined

function makeCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Puts an https front before an http origin, for peers that only fetch over https
 * (aws-jwt-verify). The origin still counts every request.
 *
 * @example
 * ```ts
 * const front = await startHttpsFront(server.origin)
 * await front.close()
 * ```
 */
export async function startHttpsFront(httpOrigin: string): Promise<HttpsFront> {
  const { key, cert } = selfSignedCertificate()
  const target = new URL(httpOrigin)
  const server = createServer({ key, cert }, (req, res) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      res.writeHead(502).end()
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `https://127.0.0.1:${port}`,
    ca: cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}
