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
import { runCli, startCli } from './support/cli.js'

// `keyward audit`, `explain` and `watch` through a real CONNECT proxy on loopback, to an https:
// issuer whose certificate a private CA generated now issued: the core's `proxy` and
// `extraCaCerts`, one flag parser for the three commands.

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

/** CONNECTs to the issuer's server the proxy received so far. */
const tunnels = (): number =>
  proxy.connects.filter((entry) => entry.target === new URL(server.origin).host).length

/** `keyward explain` of a fresh token of the issuer, discovered from its https: origin. */
function explain(...flags: string[]) {
  if (issuer === undefined) throw new Error('no issuer')
  return runCli(
    ['explain', '--issuer', server.origin, '--audience', issuer.audience, '--json', ...flags],
    { stdin: `${issuer.mint()}\n` },
  )
}

describe('keyward audit --proxy --ca-file', () => {
  it('fetches the metadata and the JWK Set through the proxy, trusting the CA file', async () => {
    const before = tunnels()
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
    expect(tunnels()).toBeGreaterThan(before)
    expect(run.status).not.toBe(2)
  })

  it('cannot audit that issuer without the CA file: exit status 2', async () => {
    const run = await runCli(['audit', server.origin, '--json', '--proxy', proxy.url])
    expect(run.status).toBe(2)
  })
})

describe('keyward explain --proxy --ca-file', () => {
  it('discovers the issuer and fetches its keys through the proxy, trusting the CA file', async () => {
    const before = tunnels()
    const run = await explain('--proxy', proxy.url, '--ca-file', caFile)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect((JSON.parse(run.stdout) as { accepted: boolean }).accepted).toBe(true)
    expect(tunnels()).toBeGreaterThan(before)
  })

  it('cannot fetch the keys without the CA file: jwks_unavailable, exit status 2', async () => {
    const before = tunnels()
    const run = await explain('--proxy', proxy.url)
    expect(run.status).toBe(2)
    const { decision } = JSON.parse(run.stdout) as {
      decision: { code: string; cause: { reason: string } | null }
    }
    expect(decision.code).toBe('jwks_unavailable')
    expect(decision.cause?.reason).toBe('network')
    expect(run.stderr).toContain('could not be fetched')
    // It did go through the proxy: the TLS handshake behind it failed.
    expect(tunnels()).toBeGreaterThan(before)
  })
})

describe('keyward watch --proxy --ca-file', () => {
  it('follows the keys through the proxy, trusting the CA file', async () => {
    const before = tunnels()
    const running = startCli([
      'watch',
      server.origin,
      '--json',
      '--interval',
      '1s',
      '--proxy',
      proxy.url,
      '--ca-file',
      caFile,
    ])
    try {
      const keys = JSON.parse(
        await running.waitForLine((line) => line.includes('"type":"keys"')),
      ) as { jwksUri: string; keys: { kid: string }[] }
      expect(keys.jwksUri).toBe(server.url)
      expect(keys.keys.map((key) => key.kid)).toEqual([issuer?.signingKey.kid])
      expect(tunnels()).toBeGreaterThan(before)
    } finally {
      running.signal('SIGINT')
    }
    const run = await running.done
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
  })

  it('reports failed fetches without the CA file', async () => {
    const running = startCli(['watch', server.origin, '--json', '--proxy', proxy.url])
    try {
      const failed = JSON.parse(
        await running.waitForLine((line) => line.includes('"type":"fetch_failed"')),
      ) as { reason: string }
      expect(failed.reason).toBe('network')
    } finally {
      running.signal('SIGINT')
    }
    expect((await running.done).status).toBe(0)
  })
})

describe('bad network flags', () => {
  const commands: Record<string, readonly string[]> = {
    audit: ['audit', 'https://auth.example.com/'],
    explain: [
      'explain',
      '--issuer',
      'https://auth.example.com/',
      '--audience',
      'https://api.example.com',
    ],
    watch: ['watch', 'https://auth.example.com/'],
  }
  const flags: [readonly string[], string][] = [
    [['--ca-file', join(dir, 'missing.pem')], '--ca-file'],
    [['--ca-file', fileURLToPath(import.meta.url)], '--ca-file'],
    [['--proxy', 'proxy.internal:3128'], '--proxy'],
    [['--proxy'], '--proxy'],
  ]
  it.each(
    Object.keys(commands).flatMap((command) =>
      flags.map(([given, flag]) => [command, given, flag] as const),
    ),
  )('keyward %s refuses %j as a usage error naming the flag', async (command, given, flag) => {
    // Refused before any fetch: the issuer is never contacted.
    const run = await runCli([...(commands[command] ?? []), ...given], { stdin: 'x.y.z\n' })
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(new RegExp(`^keyward( ${command})?: .*${flag}`))
  })
})
