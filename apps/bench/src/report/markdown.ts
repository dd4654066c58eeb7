import { BENCH_ALGORITHMS } from '../fixtures.js'
import type { HttpTokenMode } from '../http/http-suite.js'
import type { DpopRow } from '../micro/dpop-suite.js'
import type { MicroRow, TokenMode } from '../micro/micro-suite.js'
import type { BenchResults } from './results.js'
import { evaluateTargets } from './targets.js'

const int = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–'
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–')
const us = (value: number): string =>
  !Number.isFinite(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0)

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

function targetsSection(results: BenchResults): string {
  const rows = evaluateTargets(results).map((check) => [
    String(check.issue),
    check.target,
    check.measured,
    check.met === undefined
      ? '–'
      : check.met === null
        ? 'reported'
        : check.met
          ? 'met'
          : '**missed**',
  ])
  return [
    '### Targets',
    '',
    "Issue 23 (speed) and the targets of issue 7 that still hold; issue 17 asks for DPoP's " +
      'cost against Bearer to be reported, without a threshold. Ratios are medians of per-round ' +
      'ratios (see below); a margin is keyward against the best peer on that measure.',
    '',
    table(['Issue', 'Target', 'This run', ''], rows),
  ].join('\n')
}

function machineSection(results: BenchResults): string {
  const m = results.machine
  const versions = Object.entries(m.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')
  return [
    '### Machine',
    '',
    `- ${m.date}, \`${results.command}\`, ${results.durationS.toFixed(0)} s` +
      (results.quick ? ' (**quick run: not for quoting**)' : ''),
    `- ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB, ${m.os}`,
    `- Node ${m.node}, OpenSSL ${m.openssl}`,
    `- 1-minute load average: ${m.loadStart.toFixed(2)} at start, ${m.loadEnd.toFixed(2)} at end ` +
      `(${m.cores} cores; above ${m.cores} means other work was competing for the CPU)`,
    `- ${versions}`,
  ].join('\n')
}

function microSection(results: BenchResults): string | undefined {
  const micro = results.micro
  if (micro === undefined) return undefined
  const s = micro.settings
  const parts = [
    '### Micro: in-process verification',
    '',
    `${micro.distinctTokens.toLocaleString('en-US')} distinct tokens per algorithm (more than ` +
      'any cache holds, walked forward so no cache ever hits) or one repeated token; ' +
      `${s.rounds} interleaved rounds of ~${s.roundMs} ms per contender after ${s.warmupMs} ms ` +
      'of warm-up' +
      (s.sequentialDistinct === undefined
        ? ''
        : ` (distinct tokens one at a time, issue 23's measure: ${s.sequentialDistinct.rounds} ` +
          `rounds of ~${s.sequentialDistinct.roundMs} ms)`) +
      '. ops/s is the median round; the ratio is the median of per-round ratios to ' +
      'the floor measured in the same round, and in brackets the same ratio in CPU time of the ' +
      'process (all threads), which other load barely bends; p50/p99 are per-operation ' +
      'latencies in µs (sequential: time between completions; 16 in flight: call to settlement).',
    '',
    '#### Correctness gate',
    '',
    'Each contender must accept valid tokens and reject tampered, expired, wrong-issuer and ' +
      'wrong-audience ones (each twice, so a cache cannot turn a rejection into an acceptance) ' +
      'before it is measured. The floor checks signatures only.',
    '',
    table(
      ['Contender', ...BENCH_ALGORITHMS],
      [...new Set(micro.gate.map((g) => g.contender))].map((name) => [
        name,
        ...BENCH_ALGORITHMS.map((alg) => {
          const verdict = micro.gate.find((g) => g.contender === name && g.alg === alg)
          return verdict === undefined ? '–' : verdict.ok ? 'pass' : verdict.detail
        }),
      ]),
    ),
  ]
  const cell = (row: MicroRow | undefined) =>
    row === undefined
      ? ['–', '–', '–']
      : [
          int(row.opsPerSec),
          `${ratio(row.ratio)} (${ratio(row.cpuRatio)})`,
          `${us(row.p50Us)} / ${us(row.p99Us)}`,
        ]
  for (const mode of ['distinct', 'repeated'] as TokenMode[]) {
    for (const alg of BENCH_ALGORITHMS) {
      const names = [...new Set(micro.rows.filter((r) => r.alg === alg).map((r) => r.contender))]
      const find = (name: string, inFlight: number) =>
        micro.rows.find(
          (r) =>
            r.alg === alg && r.mode === mode && r.inFlight === inFlight && r.contender === name,
        )
      parts.push(
        '',
        `#### ${alg}, ${mode === 'distinct' ? 'distinct tokens' : 'one repeated token'}`,
        '',
        table(
          [
            'Contender',
            'ops/s',
            '× floor (CPU)',
            'p50 / p99 µs',
            'ops/s, 16 in flight',
            '× floor (CPU)',
            'p50 / p99 µs',
          ],
          names.map((name) => [name, ...cell(find(name, 1)), ...cell(find(name, 16))]),
        ),
      )
    }
  }
  return parts.join('\n')
}

function httpSection(results: BenchResults): string | undefined {
  const http = results.http
  if (http === undefined) return undefined
  const s = http.settings
  const parts = [
    '### HTTP: autocannon against each app in its own process',
    '',
    `RS256. ${s.connections} connections, ${s.rounds} interleaved rounds of ${s.durationS} s per ` +
      `app after ${s.warmupS} s of warm-up; req/s and latencies are the median round; the ratio ` +
      "is the median of per-round ratios to the framework's own baseline (no auth) in the " +
      "same round. **CPU/req** is the app process's CPU time (user + system, all threads, from " +
      '`process.cpuUsage()` reported over IPC) in a round divided by the requests it received, ' +
      'median of the rounds; its ratio is again per round against the baseline. It is what a ' +
      'request costs the server, and other load on the shared cores barely bends it, unlike ' +
      'req/s, which autocannon competes for on the same two cores. Every app was first checked: ' +
      'valid token → 200 with its subject, tampered, expired, wrong issuer and wrong audience → ' +
      '401; the DPoP app also got 401 for a replayed proof, a proof for another URL or method, a ' +
      'proof by another key and its bound token sent as Bearer. The DPoP app gets bound tokens, ' +
      'each request with its own proof, made before the round.',
  ]
  for (const mode of ['repeated', 'distinct'] as HttpTokenMode[]) {
    parts.push(
      '',
      `#### ${mode === 'repeated' ? 'One repeated token (a machine client reusing its token)' : 'Distinct tokens'}`,
      '',
      table(
        [
          'Framework',
          'App',
          'req/s',
          '× baseline',
          'CPU µs/req',
          'CPU × baseline',
          'p50 ms',
          'p99 ms',
          'failed requests',
        ],
        http.rows
          .filter((r) => r.mode === mode)
          .map((r) => [
            r.framework,
            r.app,
            int(r.reqPerSec),
            ratio(r.ratio),
            int(r.cpuUsPerRequest),
            ratio(r.cpuRatio),
            String(r.p50Ms),
            String(r.p99Ms),
            String(r.failures) + (r.lateProofs ? ` (${r.lateProofs} proofs made late)` : ''),
          ]),
      ),
    )
  }
  return parts.join('\n')
}

function dpopSection(results: BenchResults): string | undefined {
  const dpop = results.dpop
  if (dpop === undefined) return undefined
  const s = dpop.settings
  const names = [...new Set(dpop.rows.map((r) => r.contender))]
  const find = (name: string, mode: TokenMode, inFlight: number) =>
    dpop.rows.find((r) => r.contender === name && r.mode === mode && r.inFlight === inFlight)
  const cell = (row: DpopRow | undefined) =>
    row === undefined
      ? ['–', '–', '–']
      : [
          int(row.opsPerSec),
          `${ratio(row.ratio)} (${ratio(row.cpuRatio)})`,
          `${us(row.p50Us)} / ${us(row.p99Us)}`,
        ]
  return [
    '### DPoP against Bearer',
    '',
    `In-process, \`verifier.authenticate(request)\` (what every adapter calls) on a verifier with ` +
      `default settings and \`dpop: { publicBaseUrl }\` (mode \`'allowed'\`, the in-memory replay ` +
      `store). The same ${dpop.tokenAlg} tokens from the same issuer; the DPoP ones carry \`cnf.jkt\` ` +
      `and each request a fresh ${dpop.proofAlg} proof (RFC 9449), made before the round that uses it, ` +
      `so the rounds time verification only: the proof's checks, its signature and the replay-store ` +
      `claim. ${dpop.distinctTokens.toLocaleString('en-US')} distinct tokens or one repeated token; ` +
      `${s.rounds} interleaved rounds of ~${s.roundMs} ms; the ratio is the median of per-round ` +
      "ratios to Bearer's rate, in brackets in CPU time.",
    '',
    table(
      ['Contender', 'Correctness gate'],
      dpop.gate.map((g) => [g.contender, g.ok ? `pass (${g.detail})` : g.detail]),
    ),
    ...(['repeated', 'distinct'] as TokenMode[]).flatMap((mode) => [
      '',
      `#### ${mode === 'distinct' ? 'Distinct tokens' : 'One repeated token'}`,
      '',
      table(
        [
          'Contender',
          'ops/s',
          '× Bearer (CPU)',
          'p50 / p99 µs',
          'ops/s, 16 in flight',
          '× Bearer (CPU)',
          'p50 / p99 µs',
        ],
        names.map((name) => [name, ...cell(find(name, mode, 1)), ...cell(find(name, mode, 16))]),
      ),
    ]),
  ].join('\n')
}

function jwksSection(results: BenchResults): string | undefined {
  const jwks = results.jwks
  if (jwks === undefined) return undefined
  const peers = [...new Set(jwks.rows.map((r) => r.peer))]
  const cell = (peer: string, scenario: string) => {
    const row = jwks.rows.find((r) => r.peer === peer && r.scenario === scenario)
    if (row === undefined) return '–'
    const pending = row.pending > 0 ? `, ${row.pending} pending` : ''
    const unsent =
      row.requests < (scenario === 'storm' ? 1000 : 200) ? ` of ${row.requests} sent` : ''
    return `**${row.fetches}** fetches, ${row.accepted} ok${unsent}${pending}, ${row.elapsedMs.toFixed(0)} ms`
  }
  return [
    '### JWKS behaviour',
    '',
    'RS256; every scenario uses a fresh library instance and a fresh counting loopback JWKS ' +
      'server. **Herd**: 200 simultaneous valid tokens on a cold instance. **Rotation**: one ' +
      'verification fetches the keys, then the issuer publishes a new key and 200 simultaneous ' +
      `tokens signed with it arrive. **Storm**: after one fetch, 1000 tokens with random unknown kids, ${jwks.stormInFlight} in flight. ` +
      'A scenario stops starting requests at its deadline and counts what is still waiting as pending.',
    '',
    table(
      [
        'Library',
        'Configuration',
        'Cold herd (200)',
        'Rotation (200, new kid)',
        'Storm (1000 random kids)',
      ],
      peers.map((peer) => [
        peer,
        jwks.rows.find((r) => r.peer === peer)?.configuration ?? '',
        cell(peer, 'herd'),
        cell(peer, 'rotation'),
        cell(peer, 'storm'),
      ]),
    ),
    '',
    'Most frequent rejection per scenario: ' +
      jwks.rows
        .filter((r) => r.rejection !== undefined)
        .map((r) => `${r.peer} ${r.scenario}: \`${r.rejection ?? ''}\``)
        .join('; ') +
      '.',
  ].join('\n')
}

function memorySection(results: BenchResults): string | undefined {
  const memory = results.memory
  if (memory === undefined) return undefined
  return [
    '### Memory',
    '',
    `${memory.tokens.toLocaleString('en-US')} distinct valid ES256 tokens, minted and verified eight ` +
      `at a time through a default verifier (verified-token cache of ${memory.cacheSize} entries) in ` +
      `a fresh process, heap sampled after a forced GC. Peak RSS **${memory.peakRssMb} MB**; ` +
      `${memory.elapsedS.toFixed(0)} s including minting.`,
    '',
    table(
      ['Tokens verified', 'Heap used MB', 'RSS MB'],
      memory.samples.map((s) => [
        s.tokens.toLocaleString('en-US'),
        String(s.heapUsedMb),
        String(s.rssMb),
      ]),
    ),
  ].join('\n')
}

/**
 * Renders the generated part of `docs/benchmarks.md`.
 *
 * @example
 * ```ts
 * const text = renderResults(results)
 * ```
 */
export function renderResults(results: BenchResults): string {
  return [
    targetsSection(results),
    machineSection(results),
    microSection(results),
    dpopSection(results),
    httpSection(results),
    jwksSection(results),
    memorySection(results),
  ]
    .filter((part) => part !== undefined)
    .join('\n\n')
}
