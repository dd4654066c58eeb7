import type { AppDescriptor } from '../http/app-config.js'
import { createFixture } from '../fixtures.js'
import { runHttp } from '../http/http-suite.js'

/**
 * keyward's `signatureThreads` settings over HTTP: Express 5 with distinct RS256 tokens,
 * against its baseline and express-oauth2-jwt-bearer (jose, thread pool), in more rounds than
 * the main suite. Usage: http-signature-threads.ts [rounds] [seconds per round]
 * [distinct|repeated]
 */
const rounds = Number(process.argv[2] ?? '6')
const durationS = Number(process.argv[3] ?? '2')
const mode = process.argv[4] === 'repeated' ? 'repeated' : 'distinct'
const express = (name: string, key: string, baseline = false): AppDescriptor => ({
  name,
  framework: 'Express 5',
  baseline,
  module: 'express-apps',
  key,
})
const fixture = await createFixture('RS256', 4000)
const result = await runHttp(
  fixture,
  { rounds, durationS, warmupS: 1, connections: 16 },
  (line) => process.stderr.write(`${line}\n`),
  {
    modes: [mode],
    apps: [
      express('Express (no auth)', 'baseline', true),
      express('keyward auto', 'keyward'),
      express('keyward threadPool', 'keywardThreadPool'),
      express('keyward inline', 'keywardInline'),
      express('express-oauth2-jwt-bearer', 'oauth2JwtBearer'),
    ],
  },
)
process.stdout.write(
  '\n| App | req/s | × baseline | CPU µs/req | CPU × baseline | p50 ms | p99 ms |\n' +
    '| --- | --- | --- | --- | --- | --- | --- |\n',
)
for (const row of result.rows) {
  process.stdout.write(
    `| ${row.app} | ${String(Math.round(row.reqPerSec))} | ${row.ratio.toFixed(2)}× | ` +
      `${row.cpuUsPerRequest.toFixed(0)} | ${row.cpuRatio.toFixed(2)}× | ${String(row.p50Ms)} | ${String(row.p99Ms)} |\n`,
  )
}
await fixture.server.close()
