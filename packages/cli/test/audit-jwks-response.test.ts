import type { UrlInspection } from '@keyward/core'
import { describe, expect, it } from 'vitest'
import { auditJwksResponse } from '../src/audit-jwks-response.js'

/** A jwks_uri the core refused before any request (no loopback server can play a public issuer). */
function refused(url: string): UrlInspection {
  return {
    url,
    failure: 'unsafe_url',
    status: undefined,
    headers: {},
    contentType: undefined,
    contentEncoding: undefined,
    declaredBytes: undefined,
    bodyBytes: undefined,
    durationMs: 0,
    location: undefined,
    freshnessMs: undefined,
    body: undefined,
    errorCode: undefined,
  }
}

describe('auditJwksResponse of a jwks_uri keyward refuses to fetch', () => {
  it('reports an https URL (refused for its internal host) as metadata.jwks_uri_internal', () => {
    const findings = auditJwksResponse(refused('https://169.254.169.254/latest/keys'))
    expect(findings.map((item) => [item.id, item.severity])).toEqual([
      ['metadata.jwks_uri_internal', 'high'],
    ])
  })

  it('reports a plain-http URL as metadata.jwks_uri_not_https', () => {
    const findings = auditJwksResponse(refused('http://127.0.0.1:8080/admin'))
    expect(findings.map((item) => [item.id, item.severity])).toEqual([
      ['metadata.jwks_uri_not_https', 'critical'],
    ])
  })
})
