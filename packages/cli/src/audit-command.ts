import { absoluteUrl, onePositional, parseCommandLine } from './args.js'
import { AuditImpossible, runAudit } from './audit.js'
import { auditErrorJson, auditJson, auditText, failing, type FailOn } from './audit-report.js'
import type { Command } from './command-io.js'
import { parseDuration } from './duration.js'
import { AUDIT_HELP } from './help.js'
import { styleFor } from './style.js'
import { NETWORK_FLAGS, networkOptions } from './network-flags.js'
import { UsageError } from './usage-error.js'

const FAIL_ON: readonly FailOn[] = ['low', 'medium', 'high', 'critical']

/**
 * `keyward audit <issuer-url> [--json] [--fail-on low|medium|high|critical] [--timeout 5s]
 * [--proxy env|<url>] [--ca-file <pem>]`.
 * Exit status 0 when no finding reaches `--fail-on`, 1 when one does, 2 when the issuer could
 * not be audited.
 *
 * @example
 * ```ts
 * process.exitCode = await audit(['https://auth.example.com/', '--json'], io)
 * ```
 */
export const audit: Command = async (args, io) => {
  const { values, positionals } = parseCommandLine('audit', args, {
    json: { type: 'boolean', default: false },
    'fail-on': { type: 'string', default: 'high' },
    timeout: { type: 'string', default: '5s' },
    help: { type: 'boolean', short: 'h', default: false },
    ...NETWORK_FLAGS,
  })
  if (values.help) {
    io.stdout.write(`${AUDIT_HELP}\n`)
    return 0
  }
  const failOn = FAIL_ON.find((severity) => severity === values['fail-on'])
  if (failOn === undefined) {
    throw new UsageError(
      `--fail-on: expected low, medium, high or critical, got "${values['fail-on']}"`,
    )
  }
  const timeoutMs = parseDuration(values.timeout, '--timeout')
  if (timeoutMs < 100) throw new UsageError('--timeout: at least 100ms')
  const issuer = absoluteUrl(onePositional('audit', positionals, '<issuer-url>'), '<issuer-url>')
  const network = networkOptions(values)
  try {
    const report = await runAudit(issuer, { timeoutMs, now: Date.now, ...network })
    io.stdout.write(
      values.json
        ? `${auditJson(report, failOn)}\n`
        : auditText(report, failOn, styleFor(io.stdout, io.env)),
    )
    return failing(report.findings, failOn).length > 0 ? 1 : 0
  } catch (error) {
    if (!(error instanceof AuditImpossible)) throw error
    if (values.json) io.stdout.write(`${auditErrorJson(issuer, error.message, error.attempts)}\n`)
    io.stderr.write(`keyward audit: ${issuer} could not be audited: ${error.message}\n`)
    return 2
  }
}
