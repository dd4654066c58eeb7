import { createHash } from 'node:crypto'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { startCli } from './support/cli.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** RFC 7638 SHA-256 thumbprint of an EC public JWK. */
function thumbprint(jwk: Record<string, unknown>): string {
  const { crv, kty, x, y } = jwk
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url')
}

/** A discoverable issuer: metadata and JWK Set on one loopback server, the issuer its origin. */
async function discoverableIssuer(): Promise<{ issuer: TestIssuer; server: JwksServer }> {
  const ref: { issuer?: TestIssuer } = {}
  const server = await startJwksServer({ jwks: () => ref.issuer?.jwks(), discovery: true })
  ref.issuer = await TestIssuer.create({ alg: 'ES256', issuer: server.origin })
  cleanup.push(() => server.close())
  return { issuer: ref.issuer, server }
}

function watch(args: string[]) {
  const running = startCli(['watch', ...args])
  cleanup.push(async () => {
    running.signal('SIGKILL')
    await running.done
  })
  return running
}

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>
const ofType = (type: string) => (line: string) => line.startsWith('{') && parse(line).type === type

describe('keyward watch', () => {
  it('prints keys added and removed with their thumbprints, and a summary on Ctrl-C', async () => {
    const { issuer, server } = await discoverableIssuer()
    const first = issuer.jwks().keys[0]!
    // Fresh for an hour, says the issuer: each interval's refresh() rereads the keys anyway.
    server.setHeaders({ 'cache-control': 'max-age=3600' })
    const running = watch([server.origin, '--interval', '1s', '--json'])
    const keys = parse(await running.waitForLine(ofType('keys')))
    expect(keys).toMatchObject({
      jwksUri: server.url,
      keys: [{ kid: first.kid, kty: 'EC', alg: 'ES256', thumbprint: thumbprint(first) }],
    })
    const next = await issuer.rotate({ retireOld: true })
    const added = parse(await running.waitForLine(ofType('key_added')))
    const removed = parse(await running.waitForLine(ofType('key_removed')))
    expect(added).toMatchObject({ key: { kid: next.kid, thumbprint: thumbprint(next.publicJwk) } })
    expect(removed).toMatchObject({
      key: { kid: first.kid, thumbprint: thumbprint(first) },
      reason: 'unpublished',
    })
    running.signal('SIGINT')
    const run = await running.done
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    const summary = parse(run.stdout.trimEnd().split('\n').at(-1)!)
    expect(summary).toMatchObject({
      type: 'summary',
      keysAdded: 1,
      keysRemoved: 1,
      failedFetches: 0,
      keys: [{ kid: next.kid }],
    })
    for (const line of run.stdout.trimEnd().split('\n')) {
      expect(parse(line).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    }
  })

  it('reports failed fetches, staleness and recovery', async () => {
    const { server } = await discoverableIssuer()
    // Keys fresh for 1 s, as the issuer says: past that, failed refreshes make them stale.
    server.setHeaders({ 'cache-control': 'max-age=1' })
    const running = watch([server.origin, '--interval', '1s', '--json'])
    await running.waitForLine(ofType('keys'))
    server.setFault({ kind: 'status', status: 503 })
    const failed = parse(await running.waitForLine(ofType('fetch_failed')))
    expect(failed).toMatchObject({
      jwksUri: server.url,
      reason: 'http_status',
      httpStatus: 503,
      consecutiveFailures: 1,
      servingLastKnownGood: true,
    })
    expect(parse(await running.waitForLine(ofType('stale')))).toMatchObject({
      lastError: 'http_status',
    })
    server.setFault(null)
    const recovered = parse(await running.waitForLine(ofType('recovered')))
    expect(recovered.failures).toBeGreaterThanOrEqual(1)
    expect(recovered.staleForMs).toBeGreaterThan(0)
  })

  it('exits 0 on the first metadata change with --exit-on-change', async () => {
    const issuer = await TestIssuer.create({ alg: 'ES256' })
    const elsewhere = await startJwksServer({ issuer })
    cleanup.push(() => elsewhere.close())
    const ref: { jwksUri?: string } = {}
    const server = await startJwksServer({
      issuer,
      discoveryDocument: () => ({ issuer: server.origin, jwks_uri: ref.jwksUri ?? server.url }),
    })
    cleanup.push(() => server.close())
    const running = watch([server.origin, '--interval', '1s', '--json', '--exit-on-change'])
    await running.waitForLine(ofType('keys'))
    ref.jwksUri = elsewhere.url
    const run = await running.done
    expect(run.status).toBe(0)
    const lines = run.stdout.trimEnd().split('\n').map(parse)
    // Another origin, not in jwksOrigins: the core refuses the move and keeps the keys it has.
    expect(lines.at(-2)).toMatchObject({
      type: 'metadata_changed',
      previousJwksUri: server.url,
      jwksUri: elsewhere.url,
      outcome: 'refused',
    })
    expect(lines.at(-1)).toMatchObject({ type: 'summary', metadataChanges: 1 })
  })

  it('prints one readable line per event without --json', async () => {
    const { issuer, server } = await discoverableIssuer()
    const running = watch([server.origin, '--interval', '1s'])
    await running.waitForLine((line) => line.includes('  keys  '))
    const next = await issuer.rotate()
    const line = await running.waitForLine((text) => text.includes('  key added  '))
    expect(line).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  key added {7}  kid "${next.kid}" EC ES256 thumbprint ${thumbprint(next.publicJwk)}$`,
      ),
    )
    running.signal('SIGINT')
    const run = await running.done
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      / {2}summary {9} {2}watched .*: \d+ fetches \(0 failed\), 1 key added, 0 removed, 0 metadata changes; now 2 signing keys: /,
    )
  })
})
