import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import {
  createVerifier,
  isKeywardError,
  type KeywardEvent,
  type Verifier,
} from '../../src/index.js'
import type { IssuerOptions, JwksOptions, VerifierSettings } from '../../src/options.js'

/** A settable clock in epoch milliseconds: tests move time, they never sleep for it. */
export class FakeClock {
  now: number

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.now = start
  }

  readonly read = (): number => this.now

  advance(ms: number): void {
    this.now += ms
  }

  /** Moves to an absolute time, never backwards. */
  set(ms: number): void {
    this.now = Math.max(this.now, ms)
  }
}

export interface HarnessOptions {
  readonly jwks?: JwksOptions
  readonly settings?: Omit<VerifierSettings, 'jwks' | 'now' | 'onEvent'> &
    Pick<IssuerOptions, 'trustedKeys' | 'admitKey'>
  /** Jitter source; defaults to the middle of the range, so schedules are exact. */
  readonly random?: () => number
  readonly issuer?: TestIssuer
  readonly clock?: FakeClock
}

/**
 * One issuer, its real loopback JWKS server and a verifier on a fake clock, with every event
 * recorded and a way to wait for background fetches.
 */
export interface Harness {
  readonly clock: FakeClock
  readonly issuer: TestIssuer
  readonly server: JwksServer
  readonly verifier: Verifier
  readonly events: KeywardEvent[]
  /** Events of one type, narrowed. */
  of<T extends KeywardEvent['type']>(type: T): Extract<KeywardEvent, { type: T }>[]
  /** Fetches started and not yet settled (success or failure). */
  readonly inflight: number
  /** Resolves once no fetch is in flight: background refreshes are awaited, not slept on. */
  settle(): Promise<void>
  /** A valid token from the current signing key, valid for `lifetimeS` from the fake now. */
  token(lifetimeS?: number): string
  close(): Promise<void>
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? new FakeClock()
  const issuer = options.issuer ?? (await TestIssuer.create({ alg: 'ES256', now: clock.read }))
  const server = await startJwksServer({ issuer })
  const events: KeywardEvent[] = []
  let inflight = 0
  let waiters: (() => void)[] = []
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: server.url,
    now: clock.read,
    random: options.random ?? (() => 0.5),
    // Quiet unless a test listens: operator lines are the subject of operator-log.test.ts.
    logger: false,
    ...options.settings,
    jwks: options.jwks,
    onEvent: (event) => {
      events.push(event)
      if (event.type === 'jwks_fetch_start') inflight++
      if (event.type === 'jwks_fetch_success' || event.type === 'jwks_fetch_failure') {
        inflight--
        if (inflight === 0) {
          const done = waiters
          waiters = []
          for (const resolve of done) resolve()
        }
      }
    },
  })
  return {
    clock,
    issuer,
    server,
    verifier,
    events,
    of: <T extends KeywardEvent['type']>(type: T) =>
      events.filter((event): event is Extract<KeywardEvent, { type: T }> => event.type === type),
    get inflight() {
      return inflight
    },
    settle: async () => {
      // Let a fetch that a just-resolved request started reach its first event.
      await new Promise((resolve) => setImmediate(resolve))
      if (inflight === 0) return
      await new Promise<void>((resolve) => waiters.push(resolve))
    },
    token: (lifetimeS = 300) => issuer.mint({ exp: Math.floor(clock.now / 1000) + lifetimeS }),
    close: async () => {
      verifier.close()
      await server.close()
    },
  }
}

/** Polls real time until `condition` holds: for server-side progress, never for fake time. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  if (!condition()) throw new Error('condition not reached within 5 s')
}

/** The outcome of one verification, for tallies: `ok` or the error code. */
export async function outcome(verifier: Verifier, token: string): Promise<string> {
  try {
    await verifier.verify(token)
    return 'ok'
  } catch (error) {
    if (isKeywardError(error)) return error.code
    throw error
  }
}

/** Counts equal strings: `{ ok: 199, unknown_key: 1 }`. */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}
