import { KeywardError } from './errors.js'
import { parseSpiffeId } from './spiffe-id.js'
import { scopePolicyOf, type VerifiedToken } from './verified-token.js'
import type { ChallengeOptions } from './www-authenticate.js'

/**
 * Checks which workload a verified token names; throws `workload_not_allowed` (403), or
 * `missing_token` (401) without a token, answered with `challenge` (e.g. `verifier.challenge`)
 * when the token cannot say. Same shape as a `ScopeCheck`, so adapters mount both alike.
 */
export type WorkloadCheck = (auth: VerifiedToken | undefined, challenge?: ChallengeOptions) => void

/**
 * Builds a route check allowing JWT-SVIDs of some SPIFFE IDs: each pattern is an exact SPIFFE
 * ID, or an ID followed by `/*` for every ID below it (`spiffe://example.org/ns/prod/*` allows
 * `spiffe://example.org/ns/prod/sa/web`, not `spiffe://example.org/ns/production`;
 * `spiffe://example.org/*` every workload of the trust domain). Patterns are validated now (SPIFFE
 * ID §2); a token that is not a JWT-SVID, or names another ID, is `workload_not_allowed` (403).
 *
 * @example
 * ```ts
 * const payments = spiffeIdCheck(['spiffe://example.org/ns/payments/*'])
 * payments(auth) // throws KeywardError('workload_not_allowed') for any other workload
 * ```
 */
export function spiffeIdCheck(patterns: string | readonly string[]): WorkloadCheck {
  const list = patternList(patterns, 'SPIFFE ID')
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const pattern of list) {
    const prefix = pattern.endsWith('/*')
    const id = prefix ? pattern.slice(0, -2) : pattern
    const parsed = parseSpiffeId(id)
    if (parsed === undefined || (!prefix && parsed.path === '')) {
      throw new TypeError(
        `${JSON.stringify(pattern)} is not a SPIFFE ID, or a SPIFFE ID followed by "/*" (SPIFFE ID §2)`,
      )
    }
    if (prefix) prefixes.push(`${id}/`)
    else exact.add(id)
  }
  return workloadCheck((auth) => {
    const id = auth.spiffe?.id
    return id !== undefined && (exact.has(id) || prefixes.some((prefix) => id.startsWith(prefix)))
  })
}

/**
 * Builds a route check allowing Kubernetes service-account tokens of some service accounts:
 * each pattern is `namespace/name`, or `namespace/*` for every service account of a namespace.
 * Patterns are validated now (DNS-1123 names); any other token is `workload_not_allowed` (403).
 *
 * @example
 * ```ts
 * const billing = serviceAccountCheck(['billing/invoicer', 'ops/*'])
 * billing(auth)
 * ```
 */
export function serviceAccountCheck(patterns: string | readonly string[]): WorkloadCheck {
  const list = patternList(patterns, 'service account')
  const exact = new Set<string>()
  const namespaces = new Set<string>()
  for (const pattern of list) {
    const [namespace = '', name = '', ...rest] = pattern.split('/')
    // Kubernetes object names: DNS-1123 labels (namespaces) and subdomains (service accounts).
    if (
      rest.length > 0 ||
      !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) ||
      (name !== '*' && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
    ) {
      throw new TypeError(
        `${JSON.stringify(pattern)} is not "namespace/name" or "namespace/*" of a Kubernetes service account`,
      )
    }
    if (name === '*') namespaces.add(namespace)
    else exact.add(pattern)
  }
  return workloadCheck((auth) => {
    const k8s = auth.kubernetes
    return (
      k8s !== undefined &&
      (namespaces.has(k8s.namespace) || exact.has(`${k8s.namespace}/${k8s.serviceAccount}`))
    )
  })
}

function patternList(patterns: string | readonly string[], what: string): readonly string[] {
  const list: unknown = typeof patterns === 'string' ? [patterns] : patterns
  if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === 'string')) {
    throw new TypeError(`at least one ${what} pattern is required, as strings`)
  }
  return Object.freeze([...list])
}

function workloadCheck(allowed: (auth: VerifiedToken) => boolean): WorkloadCheck {
  return (auth, challenge) => {
    // RFC 6750 §3.1: no credentials, no error code.
    if (auth === undefined) throw new KeywardError('missing_token', { challenge })
    if (!allowed(auth)) {
      throw new KeywardError('workload_not_allowed', {
        challenge: scopePolicyOf(auth)?.challenge ?? challenge,
      })
    }
  }
}
