import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto'
import { finding, type Finding } from './audit-checks.js'

/** The first certificate of a key's `x5c`, as the audit reports it. */
export interface CertificateSummary {
  readonly subject: string
  readonly notBefore: string
  readonly notAfter: string
  /** Whether the certificate carries the JWK's own public key (RFC 7517 §4.7). */
  readonly matchesKey: boolean | null
}

// RFC 7517 §4.7: base64 (RFC 4648 §4, not base64url) DER.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Checks a JWK's `x5c`: an array of base64 DER certificates whose first one holds the same
 * public key as the JWK and is within its validity dates at `now`.
 *
 * @example
 * ```ts
 * const { certificate, findings } = auditCertificateChain(jwk, 'key #0', Date.now())
 * ```
 */
export function auditCertificateChain(
  jwk: Readonly<Record<string, unknown>>,
  subject: string,
  now: number,
): { certificate: CertificateSummary | null; findings: Finding[] } {
  const chain = jwk.x5c
  if (
    !Array.isArray(chain) ||
    chain.length === 0 ||
    !chain.every((entry) => typeof entry === 'string' && entry !== '' && BASE64.test(entry))
  ) {
    return {
      certificate: null,
      findings: [finding('key.x5c_invalid', subject, 'x5c is not an array of base64 certificates')],
    }
  }
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(Buffer.from(chain[0] as string, 'base64'))
  } catch {
    return {
      certificate: null,
      findings: [
        finding('key.x5c_invalid', subject, 'the first x5c entry is not a DER certificate'),
      ],
    }
  }
  const findings: Finding[] = []
  const jwkKey = publicKeyOf(jwk)
  const matchesKey = jwkKey === undefined ? null : leaf.publicKey.equals(jwkKey)
  if (matchesKey === false) {
    findings.push(
      finding(
        'key.x5c_mismatch',
        subject,
        `the certificate of ${leaf.subject.replace(/\n/g, ', ')} holds another key`,
      ),
    )
  }
  const notBefore = Date.parse(leaf.validFrom)
  const notAfter = Date.parse(leaf.validTo)
  if (now < notBefore) {
    findings.push(
      finding('key.x5c_outside_validity', subject, `not valid before ${iso(notBefore)}`),
    )
  } else if (now > notAfter) {
    findings.push(finding('key.x5c_outside_validity', subject, `expired ${iso(notAfter)}`))
  }
  return {
    certificate: {
      subject: leaf.subject.replace(/\n/g, ', '),
      notBefore: iso(notBefore),
      notAfter: iso(notAfter),
      matchesKey,
    },
    findings,
  }
}

/** The JWK's public key, from its public members only; `undefined` when it cannot be read. */
function publicKeyOf(jwk: Readonly<Record<string, unknown>>): KeyObject | undefined {
  const { kty, n, e, crv, x, y } = jwk
  const members = { kty, n, e, crv, x, y }
  try {
    return createPublicKey({
      key: JSON.parse(JSON.stringify(members)) as import('node:crypto').JsonWebKey,
      format: 'jwk',
    })
  } catch {
    return undefined
  }
}

function iso(ms: number): string {
  return Number.isNaN(ms) ? 'an unreadable date' : new Date(ms).toISOString()
}
