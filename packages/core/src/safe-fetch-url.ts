import { isInternalAddress } from './internal-address.js'

/**
 * Whether a URL hostname is loopback by its spelling alone: `localhost`, a 127.0.0.0/8 literal,
 * `[::1]`. Names under `.localhost` are not: RFC 6761 §6.3 lets resolvers answer them with
 * loopback, but many pass them to DNS, where they can point anywhere.
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * Whether a host may be on this machine or its private network, as far as its spelling tells:
 * an internal IP literal, or a `localhost` name (with `.localhost` subdomains and a trailing
 * dot, which resolvers may send to loopback).
 */
function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  return host === 'localhost' || host.endsWith('.localhost') || isInternalAddress(host)
}

function parse(url: string): URL | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  return parsed.username === '' && parsed.password === '' ? parsed : undefined
}

/**
 * Whether keys or metadata may be fetched from a configured `url`: `https:`, or `http:` on a
 * loopback host for local development and tests. Anything else could be tampered with in
 * transit. `allowHttp` (the `dangerouslyAllowInsecureHttp` opt-in) accepts `http:` on any host.
 */
export function isSafeFetchUrl(url: string, allowHttp = false): boolean {
  const parsed = parse(url)
  if (parsed === undefined) return false
  if (parsed.protocol === 'https:') return true
  return parsed.protocol === 'http:' && (allowHttp || isLoopbackHost(parsed.hostname))
}

/** Whether `url` is `http:` on a host that is not loopback: only fetched with the opt-in. */
export function isInsecureHttpUrl(url: string): boolean {
  const parsed = parse(url)
  return parsed?.protocol === 'http:' && !isLoopbackHost(parsed.hostname)
}

/**
 * Whether a `jwks_uri` that an issuer's metadata names may be fetched. The document is remote
 * input, so a URL in it must not turn the API server into a client of its own network:
 * `https:` only; `http:` only on loopback and only for an issuer that is itself `http:` on
 * loopback (local development); and for an issuer on a public host, no internal IP literal and
 * no `localhost` name. Host names are not resolved: see SECURITY.md. `allowHttp` (the
 * `dangerouslyAllowInsecureHttp` opt-in) lets an `http:` issuer name an `http:` URL.
 *
 * @example
 * ```ts
 * isSafeDiscoveredUrl('http://127.0.0.1:9000/admin', 'https://auth.example.com') // false
 * isSafeDiscoveredUrl('http://127.0.0.1:9000/jwks', 'http://127.0.0.1:4000') // true
 * ```
 */
export function isSafeDiscoveredUrl(url: string, issuer: string, allowHttp = false): boolean {
  const target = parse(url)
  const from = parse(issuer)
  if (target === undefined || from === undefined) return false
  // The development opt-in: an `http:` issuer (`http://keycloak:8080` in docker-compose) names
  // `http:` keys; judged by the host rules of `https:` below.
  if (target.protocol === 'http:' && allowHttp && from.protocol === 'http:') {
    return isInternalHost(from.hostname) || !isInternalHost(target.hostname)
  }
  if (target.protocol === 'http:') {
    return (
      isLoopbackHost(target.hostname) && from.protocol === 'http:' && isLoopbackHost(from.hostname)
    )
  }
  if (target.protocol !== 'https:') return false
  return isInternalHost(from.hostname) || !isInternalHost(target.hostname)
}
