import type { IssuerMetadataInspection, UrlInspection } from '@keyward/core'
import { finding, type Finding } from './audit-checks.js'
import { describeFailure } from './response-summary.js'
import { show } from './show.js'

/** What the metadata checks found, and the `jwks_uri` to audit next (if any can be fetched). */
export interface MetadataAudit {
  readonly findings: readonly Finding[]
  /** The document's `jwks_uri`, when it is a string. */
  readonly jwksUri: string | undefined
}

// Names of the algorithm lists this audit reads; the access-token one is not registered by
// RFC 8414, but servers that sign JWT access tokens (RFC 9068) publish it under this name.
const ACCESS_TOKEN_ALGS = 'access_token_signing_alg_values_supported'
const ID_TOKEN_ALGS = 'id_token_signing_alg_values_supported'

/**
 * Checks an issuer's metadata document: the issuer identifier, where `jwks_uri` lives, the
 * advertised signing algorithms and the response's cache headers.
 *
 * @example
 * ```ts
 * const { findings, jwksUri } = auditMetadata(issuer, await inspectIssuerMetadata(issuer), found)
 * ```
 */
export function auditMetadata(
  issuer: string,
  discovery: IssuerMetadataInspection,
  found: UrlInspection,
  document: Readonly<Record<string, unknown>>,
): MetadataAudit {
  const findings: Finding[] = []
  const issuerUrl = new URL(issuer)
  if (issuerUrl.protocol === 'http:') {
    findings.push(finding('metadata.issuer_loopback_http', 'issuer', issuer))
  }
  const first = discovery.attempts[0]
  if (first !== undefined && first !== found) {
    findings.push(
      finding(
        'metadata.discovery_fallback',
        'metadata',
        `${first.url}: ${describeFailure(first)}; found at ${found.url}`,
      ),
    )
  }
  if (document.issuer !== issuer) {
    findings.push(
      finding(
        'metadata.issuer_mismatch',
        'metadata',
        `issuer ${show(document.issuer)}, audited ${JSON.stringify(issuer)}`,
      ),
    )
  }
  const jwksUri = typeof document.jwks_uri === 'string' ? document.jwks_uri : undefined
  if (document.jwks_uri === undefined) {
    findings.push(finding('metadata.jwks_uri_missing', 'metadata', 'no jwks_uri member'))
  } else if (jwksUri === undefined) {
    findings.push(
      finding(
        'metadata.jwks_uri_not_https',
        'metadata',
        `jwks_uri is ${JSON.stringify(document.jwks_uri)}, not a URL`,
      ),
    )
  } else {
    findings.push(...jwksUriFindings(issuerUrl, jwksUri))
  }
  findings.push(...algorithmFindings(document))
  if (found.freshnessMs === undefined) {
    findings.push(
      finding(
        'metadata.cache_control_missing',
        'metadata',
        found.headers['cache-control'] === undefined
          ? 'no Cache-Control header'
          : `Cache-Control: ${found.headers['cache-control']}`,
      ),
    )
  }
  return { findings, jwksUri }
}

function jwksUriFindings(issuerUrl: URL, jwksUri: string): Finding[] {
  let url: URL
  try {
    url = new URL(jwksUri)
  } catch {
    return [finding('metadata.jwks_uri_not_https', 'metadata', `jwks_uri ${jwksUri} is not a URL`)]
  }
  // The fetch rule itself (https, or http on loopback; no credentials) is the core's: a URL it
  // refuses shows up as `unsafe_url` when the JWK Set is inspected, and is reported there.
  const findings: Finding[] = []
  // Plain http is fine only between a loopback issuer and loopback keys; the core refuses any
  // other, and the JWK Set check reports that instead of this note.
  if (url.protocol === 'http:') {
    findings.push(finding('metadata.jwks_uri_loopback_http', 'metadata', jwksUri))
  }
  if (url.origin !== issuerUrl.origin) {
    findings.push(
      finding(
        'metadata.jwks_uri_cross_origin',
        'metadata',
        `jwks_uri on ${url.origin}, issuer on ${issuerUrl.origin}`,
      ),
    )
  }
  return findings
}

function algorithmFindings(document: Readonly<Record<string, unknown>>): Finding[] {
  const findings: Finding[] = []
  const list = (name: string): string[] => {
    const value = document[name]
    return Array.isArray(value) ? value.filter((alg): alg is string => typeof alg === 'string') : []
  }
  const accessToken = list(ACCESS_TOKEN_ALGS)
  const idToken = list(ID_TOKEN_ALGS)
  const symmetric = (algs: string[]) => algs.filter((alg) => /^HS\d+$/.test(alg))
  if (accessToken.includes('none')) {
    findings.push(
      finding('metadata.access_token_alg_none', 'metadata', `${ACCESS_TOKEN_ALGS} has none`),
    )
  }
  if (symmetric(accessToken).length > 0) {
    findings.push(
      finding(
        'metadata.access_token_alg_symmetric',
        'metadata',
        `${ACCESS_TOKEN_ALGS} has ${symmetric(accessToken).join(', ')}`,
      ),
    )
  }
  if (idToken.includes('none')) {
    findings.push(finding('metadata.id_token_alg_none', 'metadata', `${ID_TOKEN_ALGS} has none`))
  }
  if (symmetric(idToken).length > 0) {
    findings.push(
      finding(
        'metadata.id_token_alg_symmetric',
        'metadata',
        `${ID_TOKEN_ALGS} has ${symmetric(idToken).join(', ')}`,
      ),
    )
  }
  return findings
}
