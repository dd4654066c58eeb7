/** Configuration-owned parts of a `WWW-Authenticate` challenge. */
export interface ChallengeOptions {
  /** RFC 6750 §3 `realm`. Omitted when not set. */
  readonly realm?: string | undefined
  /** RFC 9728 §5.1 `resource_metadata`: the URL of the protected resource metadata document. */
  readonly resourceMetadataUrl?: string | undefined
  /**
   * RFC 9449 §7.1: when DPoP is accepted, the `DPoP` challenge and its `algs`; `bearer` says
   * whether a `Bearer` challenge is offered too (§7.2: both schemes, `allowed` mode).
   */
  readonly dpop?: DpopChallenge | undefined
  /**
   * RFC 6750 §3 `scope` of a 401 challenge: the scopes a client should ask for to use the
   * resource (MCP authorization, "Scope Selection Strategy": a client takes these first).
   * `insufficient_scope` (403) names the scopes its check required instead.
   */
  readonly scopes?: readonly string[] | undefined
}

/**
 * MCP authorization, "Refresh Tokens": a protected resource does not ask for `offline_access`
 * in a challenge (nor in `scopes_supported`); refresh tokens are not a resource requirement.
 */
export const NEVER_CHALLENGED_SCOPE = 'offline_access'

/** The `DPoP` challenge of a verifier that accepts DPoP (RFC 9449 §7.1). */
export interface DpopChallenge {
  /** `algs`: the proof algorithms accepted. */
  readonly algorithms: readonly string[]
  /** Whether `Bearer` is offered beside `DPoP`. */
  readonly bearer: boolean
}

/** Everything one challenge says. */
export interface ChallengeParams {
  /** RFC 6750 §3 `realm`. Omitted when not set. */
  readonly realm?: string | undefined
  /** RFC 9728 §5.1 `resource_metadata`. */
  readonly resourceMetadataUrl?: string | undefined
  readonly error?: string | undefined
  readonly description?: string | undefined
  readonly scopes?: readonly string[] | undefined
  /** The auth-scheme. @defaultValue 'Bearer' */
  readonly scheme?: 'Bearer' | 'DPoP' | undefined
  /** RFC 9449 §7.1 `algs` of a `DPoP` challenge, space-delimited. */
  readonly algorithms?: readonly string[] | undefined
}

/**
 * Builds an RFC 6750 §3 `Bearer` challenge. Values come from configuration and fixed texts only;
 * each is still escaped as an RFC 9110 §5.6.4 quoted-string so no value can end the parameter.
 *
 * @example
 * ```ts
 * formatChallenge({ realm: 'api', error: 'invalid_token', description: 'access token expired' })
 * // 'Bearer realm="api", error="invalid_token", error_description="access token expired"'
 * ```
 */
export function formatChallenge(params: ChallengeParams): string {
  const parts: string[] = []
  if (params.realm !== undefined) parts.push(`realm=${quote(params.realm)}`)
  if (params.error !== undefined) parts.push(`error=${quote(params.error)}`)
  if (params.description !== undefined) {
    parts.push(`error_description=${quote(params.description)}`)
  }
  // RFC 6750 §3: `scope` lists every scope needed, space-delimited; never offline_access.
  const scopes = params.scopes?.filter((scope) => scope !== NEVER_CHALLENGED_SCOPE)
  if (scopes !== undefined && scopes.length > 0) {
    parts.push(`scope=${quote(scopes.join(' '))}`)
  }
  if (params.resourceMetadataUrl !== undefined) {
    parts.push(`resource_metadata=${quote(params.resourceMetadataUrl)}`)
  }
  if (params.algorithms !== undefined) parts.push(`algs=${quote(params.algorithms.join(' '))}`)
  const scheme = params.scheme ?? 'Bearer'
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`
}

function quote(value: string): string {
  // Control characters cannot appear in a header at all; configuration is validated against
  // them, and this drop is the last line of defence against header injection.
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\x00-\x1f\x7f]/g, '')
  return `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/** Whether `value` is safe as a challenge value: printable ASCII without `"` or `\`. */
export function isChallengeSafe(value: string): boolean {
  return /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(value)
}

/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E, at least one character. */
export function isScopeToken(value: string): boolean {
  return /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value)
}
