/** A JWT claims set: any JSON members, with a null prototype. */
export type JwtClaims = Record<string, unknown>

/**
 * A verified access token. Structurally assignable to the MCP TypeScript SDK's `AuthInfo`
 * (`token`, `clientId`, `scopes`, `expiresAt`), so MCP tool handlers can use it as is.
 * Frozen: it may be shared by every request that presents the same token.
 *
 * @example
 * ```ts
 * const auth: VerifiedToken = await verifier.verify(token)
 * auth.subject // 'user-123'
 * auth.scopes  // ['read:things']
 * ```
 */
export interface VerifiedToken<Claims extends JwtClaims = JwtClaims> {
  /** The compact JWS as presented. Keep it out of logs. */
  readonly token: string
  /** The JOSE header. */
  readonly header: Readonly<Record<string, unknown>>
  /** Every claim of the payload (null-prototype object). */
  readonly claims: Readonly<Claims>
  /** `iss`: exactly the configured issuer string. */
  readonly issuer: string
  /** `sub`, when present. */
  readonly subject: string | undefined
  /** `client_id` (RFC 9068 §2.2), else `azp`, else the empty string. */
  readonly clientId: string
  /** `aud`, always as an array. */
  readonly audience: readonly string[]
  /**
   * Granted scopes, from `scope`, `scp` and `permissions`. Typed as a plain array so the object
   * is assignable to the MCP SDK's `AuthInfo`; frozen at run time all the same.
   */
  readonly scopes: string[]
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number
  /** The `kid` of the key that verified the signature, if it had one. */
  readonly kid: string | undefined
}

export function buildVerifiedToken(
  token: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  scopes: string[],
  kid: string | undefined,
): VerifiedToken {
  const aud = claims.aud
  const clientId = claims.client_id ?? claims.azp
  return Object.freeze({
    token,
    header: Object.freeze(header),
    claims: Object.freeze(claims),
    issuer: claims.iss as string,
    subject: claims.sub as string | undefined,
    clientId: typeof clientId === 'string' ? clientId : '',
    audience: Object.freeze(
      typeof aud === 'string' ? [aud] : Array.isArray(aud) ? (aud as string[]).slice() : [],
    ),
    scopes: Object.freeze(scopes) as string[],
    expiresAt: claims.exp as number,
    kid,
  })
}
