import { isSupportedAlgorithm } from './algorithms.js'
import { DEFAULTS } from './defaults.js'
import { optionRecord } from './option-readers.js'
import { isSafeFetchUrl } from './safe-fetch-url.js'
import { rejectUnknownOptions } from './unknown-options.js'
import { isChallengeSafe, isScopeToken } from './www-authenticate.js'

/** Input of {@link protectedResourceMetadata}: RFC 9728 §2 parameters, in camelCase. */
export interface ProtectedResourceMetadataOptions {
  /** The resource identifier: the URL clients use, e.g. `https://mcp.example.com/mcp`. */
  readonly resource: string
  /** Issuers of the authorization servers that mint tokens for this resource. */
  readonly authorizationServers: readonly string[]
  /** Scopes clients may request. `offline_access` is never advertised. */
  readonly scopesSupported?: readonly string[]
  /** @defaultValue `['header']` (query and body tokens are off unless enabled) */
  readonly bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[]
  readonly resourceName?: string
  readonly resourceDocumentation?: string
  readonly resourcePolicyUri?: string
  readonly resourceTosUri?: string
  /** RFC 9728 §2 `jwks_uri`: keys the resource itself signs responses with, if any. */
  readonly jwksUri?: string
  /**
   * RFC 9728 §2 `dpop_signing_alg_values_supported`: the DPoP proof algorithms the resource
   * accepts (RFC 9449), so a client picks one before its first request. Asymmetric JWS
   * algorithms only; give the verifier's `dpop.algorithms`.
   */
  readonly dpopSigningAlgValuesSupported?: readonly string[]
  /** RFC 9728 §2 `dpop_bound_access_tokens_required`: `true` when the verifier's DPoP mode is `required`. */
  readonly dpopBoundAccessTokensRequired?: boolean
}

/**
 * RFC 9728 protected resource metadata, ready to serve and to announce in challenges. Pass the
 * same object as the `resourceMetadata` option of a verifier or adapter.
 */
export interface ProtectedResourceMetadata {
  /** The metadata URL (RFC 9728 §3.1: the well-known path inserted before the resource path). */
  readonly url: string
  /** The JSON document. */
  readonly document: Readonly<Record<string, unknown>>
  /** The document, serialised once. */
  readonly body: string
  /**
   * Response headers for the document: `content-type: application/json`, `cache-control: public,
   * max-age=3600` and `access-control-allow-origin: *` (public data that browser-based MCP
   * clients fetch cross-origin; no credentials are involved).
   */
  readonly headers: Readonly<Record<string, string>>
  /** Request paths that serve the document: the path-inserted form and the bare well-known path. */
  readonly paths: readonly string[]
  /**
   * Whether a request is for this document: `GET` or `HEAD` on one of {@link paths}. `target` is
   * the request's full path (`req.originalUrl`, `ctx.originalUrl`); a query string is ignored.
   * Adapters answer such a request with {@link headers} and {@link body}, publicly.
   */
  matches(method: string, target: string): boolean
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource'

/** Every option, so that a misspelt one is a `TypeError` instead of a missing document member. */
const OPTION_NAMES = Object.keys({
  resource: true,
  authorizationServers: true,
  scopesSupported: true,
  bearerMethodsSupported: true,
  resourceName: true,
  resourceDocumentation: true,
  resourcePolicyUri: true,
  resourceTosUri: true,
  jwksUri: true,
  dpopSigningAlgValuesSupported: true,
  dpopBoundAccessTokensRequired: true,
} satisfies Record<keyof ProtectedResourceMetadataOptions, true>)
const BEARER_METHODS: readonly unknown[] = ['header', 'body', 'query']

/**
 * Builds the RFC 9728 document for a resource server, such as an MCP server. Zero-valued fields
 * are omitted. The resource identifier and URLs come only from this configuration, never from
 * a request's `Host` or `X-Forwarded-*` headers.
 *
 * @example
 * ```ts
 * const metadata = protectedResourceMetadata({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com/'],
 *   scopesSupported: ['tools:read', 'tools:call'],
 * })
 * metadata.url // 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
 * metadata.matches('GET', '/.well-known/oauth-protected-resource/mcp') // true
 * ```
 */
export function protectedResourceMetadata(
  options: ProtectedResourceMetadataOptions,
): ProtectedResourceMetadata {
  rejectUnknownOptions(
    optionRecord(options, 'options'),
    { known: OPTION_NAMES, elsewhere: new Map() },
    '',
  )
  const resource = safeUrl(options.resource, 'resource')
  // RFC 9728 §1.2: the resource identifier has no fragment.
  if (resource.hash !== '') throw new TypeError('"resource" must not have a fragment')
  const servers = options.authorizationServers
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new TypeError('"authorizationServers" must list at least one issuer')
  }
  for (const server of servers) safeUrl(server, 'authorizationServers')
  const scopes = (options.scopesSupported ?? []).filter((scope) => scope !== 'offline_access')
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`"scopesSupported" has an invalid scope`)
  }
  const document: Record<string, unknown> = {
    resource: options.resource,
    authorization_servers: servers.map(String),
  }
  if (scopes.length > 0) document.scopes_supported = scopes
  const methods: unknown =
    options.bearerMethodsSupported ?? DEFAULTS.protectedResourceMetadata.bearerMethodsSupported
  // RFC 9728 §2: an empty list says no bearer method is supported, which is allowed.
  if (!Array.isArray(methods) || !methods.every((method) => BEARER_METHODS.includes(method))) {
    throw new TypeError('"bearerMethodsSupported" must be an array of "header", "body" and "query"')
  }
  document.bearer_methods_supported = [...(methods as readonly string[])]
  if (options.jwksUri !== undefined) document.jwks_uri = safeUrl(options.jwksUri, 'jwksUri').href
  addDpopMembers(document, options)
  const name: unknown = options.resourceName
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError('"resourceName" must be a string')
  }
  if (nonEmpty(name)) document.resource_name = name
  for (const [name, key] of [
    ['resourceDocumentation', 'resource_documentation'],
    ['resourcePolicyUri', 'resource_policy_uri'],
    ['resourceTosUri', 'resource_tos_uri'],
  ] as const) {
    const value = options[name]
    if (nonEmpty(value)) document[key] = safeUrl(value, name).href
  }
  const path = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '')
  const url = `${resource.origin}${WELL_KNOWN}${path}${resource.search}`
  if (!isChallengeSafe(url)) throw new TypeError('"resource" must be printable ASCII')
  const paths = Object.freeze(path === '' ? [WELL_KNOWN] : [`${WELL_KNOWN}${path}`, WELL_KNOWN])
  return Object.freeze({
    url,
    document: Object.freeze(document),
    body: JSON.stringify(document),
    headers: Object.freeze({
      'content-type': 'application/json',
      'cache-control': 'public, max-age=3600',
      // RFC 9728 metadata is public: browser-based MCP clients read it from another origin.
      'access-control-allow-origin': '*',
    }),
    paths,
    matches: (method: string, target: string) =>
      (method === 'GET' || method === 'HEAD') && paths.includes(target.split('?', 1)[0] ?? ''),
  })
}

/** RFC 9728 §2's DPoP members: what a DPoP client needs before its first request. */
function addDpopMembers(
  document: Record<string, unknown>,
  options: ProtectedResourceMetadataOptions,
): void {
  const algorithms: unknown = options.dpopSigningAlgValuesSupported
  if (algorithms !== undefined) {
    if (
      !Array.isArray(algorithms) ||
      algorithms.length === 0 ||
      !algorithms.every((alg) => isSupportedAlgorithm(alg))
    ) {
      throw new TypeError(
        '"dpopSigningAlgValuesSupported" must list asymmetric JWS algorithms (RS256, ES256, EdDSA, …)',
      )
    }
    document.dpop_signing_alg_values_supported = [...(algorithms as readonly string[])]
  }
  const required: unknown = options.dpopBoundAccessTokensRequired
  if (required !== undefined) {
    if (typeof required !== 'boolean') {
      throw new TypeError('"dpopBoundAccessTokensRequired" must be a boolean')
    }
    document.dpop_bound_access_tokens_required = required
  }
}

function safeUrl(value: unknown, name: string): URL {
  if (typeof value !== 'string' || !isSafeFetchUrl(value)) {
    throw new TypeError(`"${name}" must be an https: URL (http: only on loopback hosts)`)
  }
  return new URL(value)
}

function nonEmpty(value: string | undefined): value is string {
  return typeof value === 'string' && value !== ''
}
