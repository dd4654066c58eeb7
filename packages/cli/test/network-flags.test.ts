import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createTestCa,
  startConnectProxy,
  startJwksServer,
  TestIssuer,
  type ConnectProxy,
  type JwksServer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/cli.js'

// `keyward audit` through a real CONNECT proxy on loopback, to an https: issuer whose
// certificate a private CA generated now issued: the core's `proxy` and `extraCaCerts`.

const ca = createTestCa()
const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-ca-'))
const caFile = join(dir, 'ca.pem')
writeFileSync(caFile, ca.cert)
let issuer: TestIssuer | undefined
let server: JwksServer
let proxy: ConnectProxy

beforeAll(async () => {
  server = await startJwksServer({
    jwks: () => issuer?.jwks(),
    discovery: true,
    tls: ca.issue({ ip: '127.0.0.1' }),
  })
  issuer = await TestIssuer.create({ issuer: server.origin, alg: 'ES256' })
  proxy = await startConnectProxy()
})
afterAll(async () => {
  await proxy.close()
  await server.close()
})

describe('keyward audit --proxy --ca-file', () => {
  it('fetches the metadata and the JWK Set through the proxy, trusting the CA file', async () => {
    const run = await runCli([
      'audit',
      server.origin,
      '--json',
      '--proxy',
      proxy.url,
      '--ca-file',
      caFile,
    ])
    const report = JSON.parse(run.stdout) as { jwks: { status: number } | null }
    expect(report.jwks?.status).toBe(200)
    const host = new URL(server.origin).host
    expect(proxy.connects.map((entry) => entry.target)).toContain(host)
    expect(run.status).not.toBe(2)
  })

  it('cannot audit that issuer without the CA file: exit status 2', async () => {
    const run = await runCli(['audit', server.origin, '--json', '--proxy', proxy.url])
    expect(run.status).toBe(2)
  })

  it.each([
    [['--ca-file', join(dir, 'missing.pem')], '--ca-file'],
    [['--ca-file', fileURLToPath(import.meta.url)], '--ca-file'],
    [['--proxy', 'proxy.internal:3128'], '--proxy'],
  ])('refuses %j as a usage error naming the flag', async (flags, flag) => {
    const run = await runCli(['audit', server.origin, ...flags])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(flag)
  })
})
