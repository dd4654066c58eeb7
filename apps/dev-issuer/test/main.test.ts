import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_RESOURCES, requestToken, type DemoClient, type DemoResource } from '../src/index.js'

const APP_DIR = fileURLToPath(new URL('..', import.meta.url))
const MCP = 'http://127.0.0.1:3030/mcp'
const OTHER = 'urn:example:other-api'

interface Ready {
  readonly tokenEndpoint: string
  readonly clients: readonly DemoClient[]
  readonly resources: readonly DemoResource[]
}

let stop: (() => Promise<void>) | undefined

afterEach(async () => {
  await stop?.()
  stop = undefined
})

/** Runs the CLI as `pnpm start` does, with `--json`, and resolves with its ready line. */
async function startCli(args: readonly string[]): Promise<Ready> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--json', ...args], {
    cwd: APP_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  stop = async () => {
    child.kill('SIGTERM')
    await exited
  }
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { event: string } & Ready
    if (event.event === 'ready') return event
  }
  throw new Error('the dev issuer exited before it was ready')
}

function payload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

describe('dev issuer CLI', () => {
  it('registers each --resource next to the demo APIs and mints tokens for it', async () => {
    const ready = await startCli(['--resource', MCP, `--resource=${OTHER}`])
    expect(ready.resources).toEqual([
      ...DEMO_RESOURCES,
      { indicator: MCP, scopes: ['notes:read', 'notes:write'] },
      { indicator: OTHER, scopes: ['notes:read', 'notes:write'] },
    ])
    const writer = ready.clients.find((client) => client.clientId === 'demo-writer')!
    const { accessToken, scope } = await requestToken({
      tokenEndpoint: ready.tokenEndpoint,
      clientId: writer.clientId,
      clientSecret: writer.clientSecret,
      resource: MCP,
      scope: 'notes:read notes:write',
    })
    expect(payload(accessToken)).toMatchObject({ aud: MCP, client_id: 'demo-writer' })
    expect(scope).toBe('notes:read notes:write')
  })
})

describe('dev issuer banner', () => {
  it("prints the exact iss the metadata names, and the clock tolerance's effect on short tokens", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: APP_DIR,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = once(child, 'exit')
    stop = async () => {
      child.kill('SIGTERM')
      await exited
    }
    const banner: string[] = []
    for await (const line of createInterface({ input: child.stdout })) {
      banner.push(line)
      if (line.startsWith('    -d resource=')) break
    }
    const url = /^dev-issuer listening on (\S+)$/.exec(banner[0] ?? '')?.[1] ?? ''
    const iss = /^ {2}iss {8}("[^"]+")/.exec(banner[1] ?? '')?.[1]
    const metadata = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as {
      issuer: string
    }
    expect(iss).toBe(JSON.stringify(metadata.issuer))
    const text = banner.join('\n')
    expect(text).toContain('exp + clockToleranceMs (30 s by default)')
    expect(text).toMatch(/2 s tokens are refused about 32 s after issue/)
  })
})
