import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the demo's CLI exactly as `pnpm demo` does, without colours. */
function runDemo(): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: DEMO_DIR,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => {
      resolve({ code, stdout, stderr })
    })
  })
}

describe('the demo tour', () => {
  it('exits 0 with every scenario behaving against the real issuer, the four APIs and the MCP server', async () => {
    const run = await runDemo()
    const rows = run.stdout.split('\n').filter((line) => /^[✔✘] /.test(line))
    const failed = rows.filter((line) => line.startsWith('✘'))
    expect({ failed, stderr: run.stderr }).toEqual({ failed: [], stderr: '' })
    expect(run.code).toBe(0)
    // keyward audit and explain; 5 checks and an expiry per API, a rotation, an outage and a
    // recovery row per API, the late API's 503 and its recovery; the MCP server's 9 checks and its step-up, its
    // outage and its recovery; the three trust-anchor rows; the four workload rows; the six
    // DPoP rows.
    expect(rows).toHaveLength(2 + 4 * 5 + 4 + 4 + 4 + 1 + 5 + 10 + 2 + 3 + 4 + 6)
    // The dev issuer binds the token; fresh proof 200; replay, other URL, bound token as Bearer
    // and the cross-instance replay 401.
    expect(rows.filter((line) => line.includes(' dpop-api '))).toHaveLength(6)
    expect(rows[0]).toMatch(/^✔ {2}keyward audit of the issuer .* exit 0, 0 critical, 0 high, /)
    expect(rows.filter((line) => line.includes(' keyward explain of a refused token '))).toEqual([
      expect.stringMatching(/exit 1, invalid_audience \(RFC 7519 §4\.1\.3\)$/),
    ])
    expect(rows.filter((line) => line.includes(' mcp-server '))).toHaveLength(10 + 2)
    expect(rows.filter((line) => line.includes(' trust-anchor-api '))).toEqual([
      expect.stringMatching(
        /unmanaged key in the JWKS .* 401 invalid_token \(signing key not found\); managed 200; dropped unmanaged_key$/,
      ),
      expect.stringMatching(
        /jwks_uri moved to another origin .* refused, in health\(\); old keys 200; 0 fetches there$/,
      ),
      expect.stringMatching(
        /revokeKey under load .* revoked kid: \d+ accepted before, 0 accepted and \d+ refused after .*; other kid: 0 failed$/,
      ),
    ])
    expect(rows.filter((line) => line.includes(' workload-api '))).toEqual([
      expect.stringMatching(
        /JWT-SVID from the bundle endpoint .* 201 spiffe:\/\/demo\.example\/ns\/shop\/sa\/web$/,
      ),
      expect.stringMatching(/bundle rotation .* 201 after 1 bundle fetch, spiffe_sequence 1 → 2$/),
      expect.stringMatching(
        /workload not allowed .* 403 insufficient_scope \(workload not allowed\)$/,
      ),
      expect.stringMatching(
        /Kubernetes service-account token .* 201 billing\/invoicer, keys fetched with the pod token$/,
      ),
    ])
    // The fetch table: a row per API and the MCP server, each with its own JWKS requests.
    for (const api of [
      'express-api',
      'koa-api',
      'nest-api',
      'fastify-api',
      'mcp-server',
      'late-api',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^${api} .*\\d`, 'm'))
    }
    expect(run.stdout).toContain('all 65 checks behaved')
  }, 120_000)
})
