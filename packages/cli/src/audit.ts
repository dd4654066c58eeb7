import {
  inspectIssuerMetadata,
  inspectUrl,
  judgeJwks,
  type InspectUrlOptions,
  type UrlInspection,
} from '@keyward/core'
import { finding, SEVERITIES, type Finding, type Severity } from './audit-checks.js'
import { auditJwksResponse } from './audit-jwks-response.js'
import { auditKeys, type KeySummary } from './audit-keys.js'
import { auditMetadata } from './audit-metadata.js'
import { describeFailure, summarize, type ResponseSummary } from './response-summary.js'

/** Settings of one audit. */
export interface AuditSettings {
  /** Deadline of each fetch, in milliseconds. */
  readonly timeoutMs: number
  readonly now: () => number
  /** Fetch through this proxy (`--proxy`), as `jwks.proxy`. */
  readonly proxy?: InspectUrlOptions['proxy']
  /** Trust these PEM certificates too (`--ca-file`), as `jwks.extraCaCerts`. */
  readonly extraCaCerts?: InspectUrlOptions['extraCaCerts']
}

/** The result of `keyward audit`, also its `--json` document (with `tool` and `command`). */
export interface AuditReport {
  readonly issuer: string
  /** ISO 8601. */
  readonly auditedAt: string
  /** Every metadata URL tried, in order. */
  readonly discovery: readonly ResponseSummary[]
  /** The metadata response used, or `null` when none was fetched. */
  readonly metadata: ResponseSummary | null
  readonly jwksUri: string | null
  /** The JWK Set response, or `null` when it was not fetched. */
  readonly jwks: ResponseSummary | null
  readonly keys: readonly KeySummary[]
  /** Most severe first. */
  readonly findings: readonly Finding[]
  /** Findings per severity. */
  readonly counts: Readonly<Record<Severity, number>>
}

/** The issuer could not be audited: no metadata document came back. Exit status 2. */
export class AuditImpossible extends Error {
  override readonly name = 'AuditImpossible'
  readonly attempts: readonly ResponseSummary[]

  constructor(message: string, attempts: readonly ResponseSummary[]) {
    super(message)
    this.attempts = attempts
  }
}

/**
 * Audits an issuer: discovers its metadata (OpenID Connect Discovery, then RFC 8414) with the
 * core's fetch rules, checks the metadata, the JWK Set response and every key, and returns the
 * findings, most severe first. Throws {@link AuditImpossible} when no metadata can be read.
 *
 * @example
 * ```ts
 * const report = await runAudit('https://auth.example.com/', { timeoutMs: 5000, now: Date.now })
 * console.log(report.counts.critical)
 * ```
 */
export async function runAudit(issuer: string, settings: AuditSettings): Promise<AuditReport> {
  const auditedAt = new Date(settings.now()).toISOString()
  const options: InspectUrlOptions = {
    timeoutMs: settings.timeoutMs,
    ...(settings.proxy === undefined ? {} : { proxy: settings.proxy }),
    ...(settings.extraCaCerts === undefined ? {} : { extraCaCerts: settings.extraCaCerts }),
  }
  const discovery = await inspectIssuerMetadata(issuer, options)
  const attempts = discovery.attempts.map(summarize)
  const base = { issuer, auditedAt, discovery: attempts, jwksUri: null, jwks: null, keys: [] }
  if (discovery.attempts[0]?.failure === 'unsafe_url') {
    const findings = [finding('metadata.issuer_not_https', 'issuer', `${issuer}: nothing fetched`)]
    return { ...base, metadata: null, findings, counts: countOf(findings) }
  }
  const found = discovery.found
  if (found === undefined) {
    const tried = discovery.attempts.map((seen) => `${seen.url}: ${describeFailure(seen)}`)
    throw new AuditImpossible(`no metadata found (${tried.join('; ')})`, attempts)
  }
  const document = found.body
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new AuditImpossible(`the metadata at ${found.url} is not a JSON object`, attempts)
  }
  const metadata = auditMetadata(issuer, discovery, found, document as Record<string, unknown>)
  const findings = [...metadata.findings]
  let jwks: UrlInspection | undefined
  let keys: KeySummary[] = []
  if (metadata.jwksUri !== undefined && URL.canParse(metadata.jwksUri)) {
    // Judged as discovery judges a jwks_uri the metadata names: by the issuer that named it.
    jwks = await inspectUrl(metadata.jwksUri, { ...options, discoveredFrom: issuer })
    findings.push(...auditJwksResponse(jwks))
    if (jwks.failure === 'unsafe_url') {
      // Refused: not the harmless local-development case the loopback note describes.
      const note = findings.findIndex((item) => item.id === 'metadata.jwks_uri_loopback_http')
      if (note !== -1) findings.splice(note, 1)
    }
    if (jwks.failure === undefined) {
      const audited = auditKeys(jwks.body, await judgeJwks(jwks.body), settings.now())
      keys = audited.keys
      findings.push(...audited.findings)
    }
  }
  const sorted = findings
    .map((item, order) => ({ item, order }))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.item.severity) - SEVERITIES.indexOf(b.item.severity) ||
        a.order - b.order,
    )
    .map(({ item }) => item)
  return {
    ...base,
    metadata: summarize(found),
    jwksUri: metadata.jwksUri ?? null,
    jwks: jwks === undefined ? null : summarize(jwks),
    keys,
    findings: sorted,
    counts: countOf(sorted),
  }
}

function countOf(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 }
  for (const { severity } of findings) counts[severity]++
  return counts
}
