/** A SPIFFE ID, split into its parts (SPIFFE ID specification §2). */
export interface SpiffeId {
  /** The whole ID: `spiffe://<trust domain>/<path>`, exactly as the token spelt it. */
  readonly id: string
  /** The trust domain name, the URI's host: `example.org`. */
  readonly trustDomain: string
  /** The path, with its leading `/`; `''` for the ID of the trust domain itself. */
  readonly path: string
}

// SPIFFE ID §2.3: implementations must support IDs up to 2048 bytes; anything longer is refused
// (every valid ID is ASCII, so characters are bytes). §2.3 also caps the host at 255.
const MAX_ID_LENGTH = 2048
const MAX_TRUST_DOMAIN_LENGTH = 255
// SPIFFE ID §2.1: the host is lower-case letters, digits, dots, dashes and underscores; no
// userinfo, no port (so no `:`), no percent-encoding.
const TRUST_DOMAIN = /^[a-z0-9._-]+$/
// SPIFFE ID §2.2: segments of letters, digits, dots, dashes and underscores, none empty, none
// `.` or `..`, no trailing `/`, no percent-encoding; §2: no query or fragment.
const SEGMENT = /^[a-zA-Z0-9._-]+$/
const SCHEME = 'spiffe://'

/**
 * Parses a SPIFFE ID by the letter of the SPIFFE ID specification (§2): the `spiffe` scheme in
 * lower case, a lower-case trust domain name of `[a-z0-9._-]`, and a path of segments of
 * `[a-zA-Z0-9._-]` that are neither empty nor `.` or `..`, with no query, fragment, port,
 * userinfo or percent-encoding. `undefined` for anything else, so a caller can refuse it.
 *
 * @example
 * ```ts
 * parseSpiffeId('spiffe://example.org/ns/prod/sa/web')
 * // { id: 'spiffe://example.org/ns/prod/sa/web', trustDomain: 'example.org', path: '/ns/prod/sa/web' }
 * parseSpiffeId('spiffe://Example.org/web') // undefined: the trust domain must be lower case
 * ```
 */
export function parseSpiffeId(value: unknown): SpiffeId | undefined {
  if (typeof value !== 'string' || value.length > MAX_ID_LENGTH) return undefined
  if (!value.startsWith(SCHEME)) return undefined
  const rest = value.slice(SCHEME.length)
  const slash = rest.indexOf('/')
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash)
  if (!isTrustDomainName(trustDomain)) return undefined
  const path = slash === -1 ? '' : rest.slice(slash)
  if (path !== '' && !isSpiffePath(path)) return undefined
  return { id: value, trustDomain, path }
}

/**
 * Whether `name` is a SPIFFE trust domain name (SPIFFE ID §2.1): 1 to 255 characters of
 * `[a-z0-9._-]`.
 *
 * @example
 * ```ts
 * isTrustDomainName('prod.example.org') // true
 * isTrustDomainName('example.org:443') // false: no port
 * ```
 */
export function isTrustDomainName(name: string): boolean {
  return name.length <= MAX_TRUST_DOMAIN_LENGTH && TRUST_DOMAIN.test(name)
}

/** A non-empty SPIFFE ID path: `/` then segments, each valid (SPIFFE ID §2.2). */
export function isSpiffePath(path: string): boolean {
  if (!path.startsWith('/')) return false
  return path
    .slice(1)
    .split('/')
    .every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..')
}
