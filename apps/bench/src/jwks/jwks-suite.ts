import { randomBytes } from 'node:crypto'
import { startJwksServer, TestIssuer, type TestKey } from '@keyward/test-utils'
import { AUDIENCE, validClaims } from '../fixtures.js'
import type { JwksPeerFactory } from './jwks-peers.js'

export type JwksScenario = 'herd' | 'rotation' | 'storm'

export interface JwksRow {
  readonly peer: string
  readonly configuration: string
  readonly scenario: JwksScenario
  /** Verifications started before the deadline. */
  readonly requests: number
  /** Of those, still unsettled at the deadline (a library that queues instead of answering). */
  readonly pending: number
  /** JWKS requests the server received during the scenario. */
  readonly fetches: number
  readonly accepted: number
  readonly rejected: number
  /** The most frequent rejection (error `code`, else its class name). */
  readonly rejection: string | undefined
  readonly elapsedMs: number
}

export interface JwksResult {
  readonly rows: readonly JwksRow[]
  readonly stormInFlight: number
}

const HERD = 200
const ROTATION = 200
const STORM = 1000
const STORM_IN_FLIGHT = 16

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') return code
    return error.constructor.name
  }
  return typeof error
}

const TIMED_OUT = Symbol('timed out')

interface Settled {
  sent: number
  accepted: number
  pending: number
  rejections: Map<string, number>
}

/**
 * Verifies `tokens` with `inFlight` outstanding, starting none after `deadlineMs` and giving
 * up on the outstanding ones then: some libraries queue requests behind a rate limiter for
 * minutes rather than answer.
 */
async function settle(
  verify: (token: string) => Promise<unknown>,
  tokens: readonly string[],
  inFlight: number,
  deadlineMs: number,
): Promise<Settled> {
  const result: Settled = { sent: 0, accepted: 0, pending: 0, rejections: new Map() }
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, deadlineMs, TIMED_OUT)
  })
  let expired = false
  void deadline.then(() => (expired = true))
  const worker = async (): Promise<void> => {
    while (result.sent < tokens.length && !expired) {
      const token = tokens[result.sent++] ?? ''
      try {
        const outcome = await Promise.race([verify(token), deadline])
        if (outcome === TIMED_OUT) result.pending++
        else result.accepted++
      } catch (error) {
        const name = describe(error)
        result.rejections.set(name, (result.rejections.get(name) ?? 0) + 1)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, tokens.length) }, worker))
  clearTimeout(timer)
  return result
}

/**
 * JWKS behaviour of each library, each scenario against a fresh instance and a fresh counting
 * loopback JWKS server: a cold herd of simultaneous requests, a key rotation right after a
 * fetch, and a storm of tokens with random unknown `kid`s.
 */
export async function runJwks(
  peers: readonly JwksPeerFactory[],
  deadlineMs: number,
  log: (line: string) => void,
): Promise<JwksResult> {
  const iss = 'https://issuer.bench.test/jwks'
  const issuer = await TestIssuer.create({ alg: 'RS256', issuer: iss, audience: AUDIENCE })
  const oldKey = issuer.signingKey
  const newKey = await issuer.addKey({ publish: false })
  const mint = (key: TestKey): string => issuer.mint(validClaims(), { key })
  const herdTokens = Array.from({ length: HERD }, () => mint(oldKey))
  const warmToken = mint(oldKey)
  const rotationTokens = Array.from({ length: ROTATION }, () => mint(newKey))
  // Forgeries need no real signature: the unknown kid is what is being tested.
  const stormTokens = Array.from({ length: STORM }, () =>
    issuer.mint(validClaims(), {
      kid: randomBytes(8).toString('hex'),
      signature: Buffer.alloc(256, 1),
    }),
  )

  let published: TestKey[] = [oldKey]
  const rows: JwksRow[] = []
  for (const factory of peers) {
    const scenarios: [JwksScenario, readonly string[], number][] = [
      ['herd', herdTokens, HERD],
      ['rotation', rotationTokens, ROTATION],
      ['storm', stormTokens, STORM_IN_FLIGHT],
    ]
    for (const [scenario, tokens, inFlight] of scenarios) {
      published = [oldKey]
      // A server per scenario: whatever a library still does in the background afterwards
      // cannot leak into the next count.
      const server = await startJwksServer({
        jwks: () => ({ keys: published.map((key) => key.publicJwk) }),
      })
      const peer = await factory.create({
        alg: 'RS256',
        iss,
        jwksUrl: server.url,
        origin: server.origin,
      })
      try {
        if (scenario !== 'herd') {
          // Warm: one verification fetches the keys; the scenario starts right after.
          await peer.verify(warmToken)
          if (scenario === 'rotation') published = [oldKey, newKey]
          server.reset()
        }
        const start = performance.now()
        const settled = await settle((t) => peer.verify(t), tokens, inFlight, deadlineMs)
        const elapsedMs = performance.now() - start
        const rejection = [...settled.rejections.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
        const row: JwksRow = {
          peer: factory.name,
          configuration: factory.configuration,
          scenario,
          requests: settled.sent,
          pending: settled.pending,
          fetches: server.jwksRequests,
          accepted: settled.accepted,
          rejected: settled.sent - settled.accepted - settled.pending,
          rejection,
          elapsedMs,
        }
        rows.push(row)
        log(
          `  ${row.peer} ${scenario}: ${row.fetches} fetches, ${row.accepted}/${row.requests} ` +
            `accepted, ${row.pending} pending` +
            `${rejection === undefined ? '' : ` (${rejection})`}, ${elapsedMs.toFixed(0)} ms`,
        )
      } finally {
        await peer.close()
        await server.close()
      }
    }
  }
  return { rows, stormInFlight: STORM_IN_FLIGHT }
}
