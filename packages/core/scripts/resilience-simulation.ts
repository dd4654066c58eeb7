/**
 * Resilience simulation: one simulated hour of traffic at 1000 requests/s (3,600,000
 * verifications) against a real loopback JWKS server that flaps, hangs, resets, answers slowly
 * and rotates its keys, overlapping and abruptly. Time is an injected clock: it advances
 * 100 ms (100 requests) per batch and stands still while a key fetch is in flight, because
 * that fetch's latency (slow bodies, timeouts) happens in real time.
 *
 * Run: `pnpm --filter @keyward/core simulate`. Exits non-zero if a valid token was rejected.
 */
import { startJwksServer, TestIssuer, type JwksFault, type TestKey } from '@keyward/test-utils'
import { createVerifier, isKeywardError, type KeywardEvent } from '../src/index.js'

const REQUESTS_PER_SECOND = 1000
const DURATION_MS = 3_600_000
const BATCH_MS = 100
const PER_BATCH = (REQUESTS_PER_SECOND * BATCH_MS) / 1000
const CLIENTS = 300
const TOKEN_LIFETIME_S = 600
const MINUTE = 60_000

/** Deterministic jitter and client choice (mulberry32), so runs are comparable. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Phase {
  readonly name: string
  readonly from: number
  readonly until: number
  /** The endpoint's behaviour at a simulated time inside the phase; `null` is healthy. */
  readonly fault: (atMs: number) => JwksFault | null
}

const slowBody: JwksFault = { kind: 'slow-body', chunkDelayMs: 40, chunks: 5 } // ~200 ms, succeeds
const tooSlowBody: JwksFault = { kind: 'slow-body', chunkDelayMs: 150, chunks: 5 } // > timeout
const unavailable: JwksFault = { kind: 'status', status: 503, headers: { 'retry-after': '20' } }
const flapping: readonly (JwksFault | null)[] = [
  null,
  { kind: 'status', status: 502 },
  slowBody,
  { kind: 'hang' },
]

const phases: readonly Phase[] = (
  [
    { name: 'healthy', from: 0, until: 8, fault: () => null },
    { name: 'down: 503 + Retry-After', from: 8, until: 14, fault: () => unavailable },
    { name: 'up, slow bodies', from: 14, until: 18, fault: () => slowBody },
    { name: 'down: connection resets', from: 18, until: 20, fault: () => ({ kind: 'reset' }) },
    {
      name: 'flapping every 30 s',
      from: 20,
      until: 30,
      fault: (at) => flapping[Math.floor(at / 30_000) % flapping.length] ?? null,
    },
    { name: 'healthy', from: 30, until: 38, fault: () => null },
    {
      name: 'down: hangs and resets',
      from: 38,
      until: 47,
      fault: (at) => (Math.floor(at / MINUTE) % 2 === 0 ? { kind: 'hang' } : { kind: 'reset' }),
    },
    { name: 'up, bodies past the timeout', from: 47, until: 50, fault: () => tooSlowBody },
    { name: 'healthy', from: 50, until: 60, fault: () => null },
  ] satisfies Phase[]
).map((phase) => ({ ...phase, from: phase.from * MINUTE, until: phase.until * MINUTE }))

interface Client {
  token: string
  key: TestKey
  expMs: number
  renewAtMs: number
}

interface Tally {
  requests: number
  accepted: number
  validRejected: number
  unavailable: number
  invalidRejected: number
  retiredAccepted: number
  jwksRequests: number
  responses304: number
  fetchFailures: number
}

const emptyTally = (): Tally => ({
  requests: 0,
  accepted: 0,
  validRejected: 0,
  unavailable: 0,
  invalidRejected: 0,
  retiredAccepted: 0,
  jwksRequests: 0,
  responses304: 0,
  fetchFailures: 0,
})

interface Report {
  readonly phases: readonly Tally[]
  readonly total: Tally
  readonly timeline: readonly string[]
  readonly longestStaleMs: number
  readonly longestStaleFromMs: number
  readonly wallSeconds: number
}

async function simulate(): Promise<Report> {
  const wallStart = performance.now()
  const t0 = Date.UTC(2030, 0, 1)
  let now = t0
  const clock = (): number => now
  const random = prng(0x6b657977)
  const issuer = await TestIssuer.create({ alg: 'ES256', now: clock })
  const server = await startJwksServer({ issuer })
  server.setValidators({ etag: true })
  server.setHeaders({ 'cache-control': 'max-age=300' })

  let inflight = 0
  let settled: (() => void) | undefined
  let staleSince: number | undefined
  let longestStaleMs = 0
  let longestStaleFromMs = 0
  let fetchFailures = 0
  const timeline: string[] = []
  const onEvent = (event: KeywardEvent): void => {
    switch (event.type) {
      case 'jwks_fetch_start':
        inflight++
        break
      case 'jwks_fetch_failure':
      case 'jwks_fetch_success':
        if (event.type === 'jwks_fetch_failure') fetchFailures++
        inflight--
        if (inflight === 0) settled?.()
        break
      case 'jwks_stale_begin':
        staleSince = event.staleSince
        break
      case 'jwks_stale_end':
        if (event.staleForMs > longestStaleMs) {
          longestStaleMs = event.staleForMs
          longestStaleFromMs = now - t0 - event.staleForMs
        }
        staleSince = undefined
        break
      case 'jwks_keys_rotated': {
        const changes = [...event.added.map((k) => `+${k}`), ...event.removed.map((k) => `-${k}`)]
        timeline.push(`${clockText(now - t0)}  verifier: ${changes.join(' ')}`)
        break
      }
      default:
        break
    }
  }
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: server.url,
    now: clock,
    random,
    onEvent,
    // Real milliseconds: a hung endpoint costs the simulation this much wall time per attempt.
    jwks: { timeoutMs: 500 },
  })

  // Keys generated up front; the plan publishes, signs with and retires them in simulated time.
  const k1 = issuer.signingKey
  const [k2, k3, k4, k5] = await Promise.all(
    [1, 2, 3, 4].map(() => issuer.addKey({ publish: false })),
  )
  if (k2 === undefined || k3 === undefined || k4 === undefined || k5 === undefined) {
    throw new Error('key generation failed')
  }
  const plan: { at: number; label: string; run: () => void }[] = [
    {
      at: 1,
      label: 'overlapping: K2 published',
      run: () => {
        issuer.publish(k2)
      },
    },
    {
      at: 7,
      label: 'overlapping: K2 signs',
      run: () => {
        issuer.useForSigning(k2)
      },
    },
    {
      at: 25,
      label: 'overlapping: K1 removed',
      run: () => {
        issuer.unpublish(k1)
      },
    },
    {
      at: 33,
      label: 'abrupt: K3 published and signing at once, K2 removed',
      run: () => {
        issuer.publish(k3)
        issuer.useForSigning(k3)
        issuer.unpublish(k2)
      },
    },
    {
      at: 44,
      label: 'abrupt, endpoint down: K4 published and signing at once',
      run: () => {
        issuer.publish(k4)
        issuer.useForSigning(k4)
      },
    },
    {
      at: 52,
      label: 'overlapping: K5 published',
      run: () => {
        issuer.publish(k5)
      },
    },
    {
      at: 56,
      label: 'overlapping: K5 signs',
      run: () => {
        issuer.useForSigning(k5)
      },
    },
  ].map((step) => ({ ...step, at: step.at * MINUTE }))

  const mint = (): Client => {
    const expMs = (Math.floor(now / 1000) + TOKEN_LIFETIME_S) * 1000
    return {
      token: issuer.mint({ exp: expMs / 1000, sub: `client-${String(random())}` }),
      key: issuer.signingKey,
      expMs,
      // Clients renew at 70–90 % of the lifetime.
      renewAtMs: now + TOKEN_LIFETIME_S * 1000 * (0.7 + 0.2 * random()),
    }
  }

  await verifier.warmup()
  // As if the clients had been running for a while: first renewals spread over the lifetime.
  const clients = Array.from({ length: CLIENTS }, () => ({
    ...mint(),
    renewAtMs: now + random() * TOKEN_LIFETIME_S * 800,
  }))

  const tallies = phases.map(emptyTally)
  let lastFault: JwksFault | null | undefined
  let counted = { requests: server.jwksRequests, responses304: 0, failures: 0 }

  for (let at = 0; at < DURATION_MS; at += BATCH_MS) {
    now = t0 + at
    for (const step of plan) {
      if (step.at === at) {
        step.run()
        timeline.push(`${clockText(at)}  issuer:   ${step.label}`)
      }
    }
    const phaseIndex = phases.findIndex((phase) => at >= phase.from && at < phase.until)
    const phase = phases[phaseIndex]
    const tally = tallies[phaseIndex]
    if (phase === undefined || tally === undefined) throw new Error(`no phase at ${String(at)}`)
    const fault = phase.fault(at)
    if (fault !== lastFault) {
      server.setFault(fault)
      lastFault = fault
    }

    const batch: Promise<void>[] = []
    for (let i = 0; i < PER_BATCH; i++) {
      const index = Math.floor(random() * CLIENTS)
      let client = clients[index] ?? mint()
      if (now >= client.renewAtMs) client = mint()
      clients[index] = client
      const sent = client
      // Ground truth: unexpired, and signed by a key the issuer publishes right now.
      const valid = now < sent.expMs && issuer.published.includes(sent.key)
      batch.push(
        verifier.verify(sent.token).then(
          () => {
            tally.accepted++
            if (!valid) tally.retiredAccepted++
          },
          (error: unknown) => {
            if (!isKeywardError(error)) throw error
            if (error.status === 503) {
              tally.unavailable++
              return
            }
            if (valid) tally.validRejected++
            else tally.invalidRejected++
            // A rejected client re-authenticates.
            if (clients[index] === sent) clients[index] = mint()
          },
        ),
      )
    }
    tally.requests += PER_BATCH
    await Promise.all(batch)
    // Simulated time stands still while a fetch is in flight.
    if (inflight > 0) {
      await new Promise<void>((resolve) => {
        settled = resolve
      })
    }
    settled = undefined
    if (at + BATCH_MS >= phase.until) {
      tally.jwksRequests = server.jwksRequests - counted.requests
      tally.responses304 = server.responses304 - counted.responses304
      tally.fetchFailures = fetchFailures - counted.failures
      counted = {
        requests: server.jwksRequests,
        responses304: server.responses304,
        failures: fetchFailures,
      }
    }
  }
  now = t0 + DURATION_MS
  if (staleSince !== undefined && now - staleSince > longestStaleMs) {
    longestStaleMs = now - staleSince
    longestStaleFromMs = staleSince - t0
  }
  verifier.close()
  await server.close()

  const total = emptyTally()
  total.jwksRequests = 1 // the warm-up
  for (const tally of tallies) {
    for (const name of Object.keys(total) as (keyof Tally)[]) total[name] += tally[name]
  }
  return {
    phases: tallies,
    total,
    timeline,
    longestStaleMs,
    longestStaleFromMs,
    wallSeconds: (performance.now() - wallStart) / 1000,
  }
}

function clockText(ms: number): string {
  const seconds = Math.round(ms / 1000)
  const two = (value: number): string => String(value).padStart(2, '0')
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`
}

function print(report: Report): void {
  const n = (value: number): string => value.toLocaleString('en-US')
  const columns: readonly [string, (t: Tally) => number][] = [
    ['requests', (t) => t.requests],
    ['accepted', (t) => t.accepted],
    ['valid rejected', (t) => t.validRejected],
    ['503', (t) => t.unavailable],
    ['invalid rejected', (t) => t.invalidRejected],
    ['retired accepted', (t) => t.retiredAccepted],
    ['JWKS requests', (t) => t.jwksRequests],
    ['304', (t) => t.responses304],
    ['failed fetches', (t) => t.fetchFailures],
  ]
  const row = (label: string, tally: Tally): string[] => [
    label,
    ...columns.map(([, get]) => n(get(tally))),
  ]
  const header = ['phase', ...columns.map(([name]) => name)]
  const body = report.phases.map((tally, i) => {
    const phase = phases[i]
    const label =
      phase === undefined
        ? '?'
        : `${clockText(phase.from).slice(0, 5)}–${clockText(phase.until).slice(0, 5)} ${phase.name}`
    return row(label, tally)
  })
  const footer = row('total (warm-up included)', report.total)
  const all = [header, ...body, footer]
  const widths = header.map((_, c) => Math.max(...all.map((cells) => (cells[c] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')

  const out: string[] = []
  out.push('keyward resilience simulation: 1 simulated hour at 1000 requests/s', '')
  out.push(line(header), rule, ...body.map(line), rule, line(footer), '')
  out.push('key timeline (issuer actions, and key changes as the verifier saw them):')
  out.push(...report.timeline.map((entry) => `  ${entry}`), '')
  const { total } = report
  out.push(`valid tokens rejected   ${n(total.validRejected)}`)
  out.push(
    `JWKS requests made      ${n(total.jwksRequests)} (${n(total.responses304)} answered 304, ${n(total.fetchFailures)} failed)`,
  )
  out.push(
    `longest stale period    ${clockText(report.longestStaleMs)} (from ${clockText(report.longestStaleFromMs)})`,
  )
  out.push(`503 jwks_unavailable    ${n(total.unavailable)}`)
  out.push(`wall time               ${report.wallSeconds.toFixed(1)} s`, '')
  out.push(
    'valid: unexpired and signed by a key the issuer publishes at that moment. 503: the token',
    'names a key the verifier could not fetch yet (the endpoint was failing, or the next attempt',
    'was still in backoff). retired accepted: tokens of a key the issuer had just removed,',
    'accepted until the next fetch showed the removal.',
  )
  console.log(out.join('\n'))
}

const report = await simulate()
print(report)
if (report.total.validRejected > 0) process.exitCode = 1
