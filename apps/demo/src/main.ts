import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { palette, table, verdictTable, type Palette } from './report.js'
import { serve } from './serve.js'
import { runTour, seconds, type FetchRow } from './tour.js'

const HELP = `Usage: demo [--serve]

Starts a local authorization server (oidc-provider), four APIs protected by keyward (Express,
Koa, NestJS, Fastify) and an MCP server, tours them with real tokens and prints what happened; exits 0
when everything behaved.
  --serve   keep everything running and print curl commands to explore by hand`

const LEGEND = `scheduled: background refresh ahead of expiry (the tour caches keys 2 s); retry: after a
failed refresh, with backoff; unknown_kid: a token named a key the API did not have (none here:
the overlapping rotation published the new key before signing with it). A discovery attempt
during the outage counts twice: keyward tries the OIDC, then the RFC 8414 metadata URL.
mcp-server runs inside the tour's process (its URL holds its port, so it binds before the issuer
starts): health() is its verifier's report, the one the APIs serve at /healthz.`

/** The tour gives up after this, whatever happens: it is also an end-to-end test. */
const TOUR_DEADLINE_MS = 110_000

function fetchTable(rows: readonly FetchRow[], paint: Palette): string {
  const causes = (row: FetchRow) =>
    row.byCause === undefined
      ? '?'
      : Object.entries(row.byCause)
          .filter(([, count]) => count > 0)
          .map(([cause, count]) => `${cause} ${count}`)
          .join(', ')
  return table(
    ['api', 'JWKS ok/503', 'discovery ok/503', 'fetches by cause (API side)', 'tour requests'].map(
      paint.bold,
    ),
    rows.map((row) => [
      paint.cyan(row.api),
      `${row.jwksServed}/${row.jwksRefused}`,
      `${row.metadataServed}/${row.metadataRefused}`,
      causes(row),
      String(row.requests),
    ]),
  )
}

async function tour(logDir: string, paint: Palette): Promise<number> {
  const deadline = setTimeout(() => {
    console.error(paint.red(`the tour took longer than ${seconds(TOUR_DEADLINE_MS)}; giving up`))
    process.exit(2)
  }, TOUR_DEADLINE_MS)
  deadline.unref()
  try {
    console.log(
      paint.bold('keyward demo: a real authorization server, four APIs, an MCP server, one tour\n'),
    )
    const result = await runTour({
      logDir,
      progress: (line) => {
        console.log(paint.dim(line))
      },
    })
    console.log(`\n${verdictTable(result.rows, paint)}\n`)
    console.log(paint.bold('JWKS and discovery requests per API, as the issuer counted them'))
    console.log(fetchTable(result.fetches, paint))
    console.log(`${paint.dim(LEGEND)}\n`)
    const failed = result.rows.filter((row) => !row.ok).length
    const verdict =
      failed === 0
        ? paint.green(`all ${result.rows.length} checks behaved`)
        : paint.red(`${failed} of ${result.rows.length} checks did not behave`)
    console.log(`${verdict} in ${seconds(result.durationMs)}; logs in ${logDir}`)
    return failed === 0 ? 0 : 1
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(paint.red(`the tour failed: ${message}`))
    console.error(`logs in ${logDir}`)
    return 1
  } finally {
    clearTimeout(deadline)
  }
}

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
const paint = palette(process.stdout.isTTY, process.env)
if (values.help) {
  console.log(HELP)
} else {
  const logDir = mkdtempSync(join(tmpdir(), 'keyward-demo-'))
  if (values.serve) await serve({ logDir, paint })
  else process.exitCode = await tour(logDir, paint)
}
