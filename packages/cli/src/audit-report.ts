import { SEVERITIES, type Finding, type Severity } from './audit-checks.js'
import type { AuditReport } from './audit.js'
import type { KeySummary } from './audit-keys.js'
import type { ResponseSummary } from './response-summary.js'
import type { Style } from './style.js'

/** The severities `--fail-on` accepts; `info` never fails an audit. */
export type FailOn = Exclude<Severity, 'info'>

/** Version of the `--json` document's shape; bumped on any incompatible change. */
export const AUDIT_SCHEMA_VERSION = 1

/**
 * The findings that reach `failOn`: at that severity or above.
 *
 * @example
 * ```ts
 * process.exitCode = failing(report.findings, 'high').length > 0 ? 1 : 0
 * ```
 */
export function failing(findings: readonly Finding[], failOn: FailOn): Finding[] {
  const limit = SEVERITIES.indexOf(failOn)
  return findings.filter((item) => SEVERITIES.indexOf(item.severity) <= limit)
}

/**
 * The `--json` document: the report plus `tool`, `command`, `schemaVersion`, `failOn` and
 * `passed`. One JSON value, pretty-printed.
 *
 * @example
 * ```ts
 * console.log(auditJson(report, 'high'))
 * ```
 */
export function auditJson(report: AuditReport, failOn: FailOn): string {
  return JSON.stringify(
    {
      tool: 'keyward',
      command: 'audit',
      schemaVersion: AUDIT_SCHEMA_VERSION,
      issuer: report.issuer,
      auditedAt: report.auditedAt,
      failOn,
      passed: failing(report.findings, failOn).length === 0,
      counts: report.counts,
      discovery: report.discovery,
      metadata: report.metadata,
      jwksUri: report.jwksUri,
      jwks: report.jwks,
      keys: report.keys,
      findings: report.findings,
    },
    null,
    2,
  )
}

/**
 * The `--json` document of an audit that could not run (exit status 2).
 *
 * @example
 * ```ts
 * console.log(auditErrorJson(issuer, error.message, error.attempts))
 * ```
 */
export function auditErrorJson(
  issuer: string,
  message: string,
  discovery: readonly ResponseSummary[],
): string {
  return JSON.stringify(
    {
      tool: 'keyward',
      command: 'audit',
      schemaVersion: AUDIT_SCHEMA_VERSION,
      issuer,
      error: { message, discovery },
    },
    null,
    2,
  )
}

const LABEL_WIDTH = 10

/**
 * The readable report: what was fetched, the keys, then the findings grouped by severity, most
 * severe first, and the verdict against `failOn`.
 *
 * @example
 * ```ts
 * process.stdout.write(auditText(report, 'high', styleFor(process.stdout, process.env)))
 * ```
 */
export function auditText(report: AuditReport, failOn: FailOn, paint: Style): string {
  const lines: string[] = []
  const label = (name: string) => paint.bold(name.padEnd(LABEL_WIDTH))
  const indent = ' '.repeat(LABEL_WIDTH)
  lines.push(
    `${paint.bold('keyward audit')} ${report.issuer}`,
    `${indent}${paint.dim(report.auditedAt)}`,
    '',
  )
  if (report.metadata !== null) {
    lines.push(...response(label('metadata'), indent, report.metadata, paint))
  }
  if (report.jwks !== null) {
    lines.push(...response(label('jwks'), indent, report.jwks, paint))
  }
  if (report.jwks?.failure === null) {
    const usable = report.keys.filter((key) => key.usable).length
    lines.push(
      `${label('keys')}${String(report.keys.length)} published, ${String(usable)} usable for signatures`,
    )
    for (const key of report.keys) lines.push(`${indent}${keyLine(key, paint)}`)
  }
  lines.push('')
  const counts = SEVERITIES.map((severity) => `${String(report.counts[severity])} ${severity}`)
  lines.push(`${label('findings')}${counts.join(', ')}`)
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((item) => item.severity === severity)
    if (group.length === 0) continue
    lines.push('', severityStyle(severity, paint)(severity.toUpperCase()))
    for (const item of group) lines.push(...findingLines(item, paint))
  }
  lines.push('')
  const reached = failing(report.findings, failOn)
  lines.push(
    reached.length === 0
      ? `${paint.green(paint.bold('PASS'))}  no finding at or above ${failOn} (--fail-on ${failOn})`
      : `${paint.red(paint.bold('FAIL'))}  ${String(reached.length)} finding${reached.length === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn})`,
  )
  return `${lines.join('\n')}\n`
}

function response(label: string, indent: string, seen: ResponseSummary, paint: Style): string[] {
  const status = seen.status === null ? paint.red('---') : String(seen.status)
  const facts = [
    seen.contentType ?? 'no Content-Type',
    seen.bodyBytes === null ? undefined : `${String(seen.bodyBytes)} bytes`,
    seen.contentEncoding === null
      ? undefined
      : `${seen.contentEncoding}${seen.declaredBytes === null ? '' : ` (${String(seen.declaredBytes)} bytes sent)`}`,
    `${String(seen.durationMs)} ms`,
    seen.cacheControl === null ? 'no Cache-Control' : `Cache-Control: ${seen.cacheControl}`,
    seen.etag === null ? undefined : 'ETag',
    seen.lastModified === null ? undefined : 'Last-Modified',
  ].filter((fact) => fact !== undefined)
  return [`${label}${status}  ${seen.url}`, `${indent}${paint.dim(facts.join(', '))}`]
}

function keyLine(key: KeySummary, paint: Style): string {
  const type =
    key.kty === 'RSA'
      ? `RSA ${String(key.rsaModulusBits)} e=${key.rsaExponent ?? 'large'}`
      : [key.kty ?? 'no kty', key.crv].filter((part) => part !== null).join(' ')
  const parts = [
    `#${String(key.index)}`,
    key.kid ?? '(no kid)',
    type,
    key.alg ?? '(no alg)',
    key.use === null
      ? key.keyOps === null
        ? '(no use)'
        : `key_ops ${key.keyOps.join(',')}`
      : `use ${key.use}`,
    key.usable ? paint.green('usable') : paint.yellow(`dropped: ${String(key.dropReason)}`),
  ]
  const thumbprint = key.thumbprint === null ? '' : paint.dim(`  thumbprint ${key.thumbprint}`)
  return `${parts.join('  ')}${thumbprint}`
}

function findingLines(item: Finding, paint: Style): string[] {
  const pad = '      '
  return [
    `  ${severityStyle(item.severity, paint)(item.id)}  ${item.subject}: ${item.title}`,
    `${pad}${paint.dim('seen')}  ${item.seen}`,
    `${pad}${paint.dim('why ')}  ${item.why} (${item.reference})`,
    `${pad}${paint.dim('fix ')}  ${item.fix}`,
  ]
}

function severityStyle(severity: Severity, paint: Style): (text: string) => string {
  switch (severity) {
    case 'critical':
      return (text) => paint.bold(paint.red(text))
    case 'high':
      return paint.red
    case 'medium':
      return paint.yellow
    case 'low':
      return paint.cyan
    case 'info':
      return paint.dim
  }
}
