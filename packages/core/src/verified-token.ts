import { BoundedMemo } from './bounded-memo.js'
import type { DecodedToken } from './decode-token.js'
import type { KubernetesIdentity } from './kubernetes-claims.js'
import type { SpiffeId } from './spiffe-id.js'
import { normaliseScopes, type ScopePolicy } from './scopes.js'

/** A JWT claims set: any JSON members, with a null prototype. */
export type JwtClaims = Record<string, unknown>

/**
 * A verified access token. Structurally assignable to the MCP TypeScript SDK's `AuthInfo`
 * (`token`, `clientId`, `scopes`, `expiresAt`), so MCP tool handlers can use it as is.
 * Frozen, nested claims and header members included: it may be shared by every request that
 * presents the same token.
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
  /**
   * For a JWT-SVID (the `spiffe` option): its SPIFFE ID (`sub`), trust domain name and path.
   * `issuer` is then the trust domain's ID, `spiffe://<trust domain>`.
   */
  readonly spiffe?: SpiffeId | undefined
  /** For a Kubernetes service-account token (the `kubernetes` option): its `kubernetes.io` claims. */
  readonly kubernetes?: KubernetesIdentity | undefined
  /**
   * The token's sender constraint (RFC 7800 `cnf`): for a DPoP-bound token (RFC 9449 §6),
   * `{ type: 'dpop', jkt }`, the RFC 7638 thumbprint of the key whose proof came with it.
   * `undefined` for a bearer token. Tokens with `cnf` are only ever accepted with a proof.
   */
  readonly binding?: TokenBinding | undefined
}

/** A sender constraint of an access token: DPoP's key thumbprint (RFC 9449 §6.1). */
export interface TokenBinding {
  readonly type: 'dpop'
  /** The `cnf.jkt` claim: the RFC 7638 SHA-256 thumbprint of the client's proof key. */
  readonly jkt: string
}

/** The issuer a token was verified for and the workload it names, when not from `iss` alone. */
export interface TokenOrigin {
  readonly issuer: string
  readonly spiffe?: SpiffeId | undefined
  readonly kubernetes?: KubernetesIdentity | undefined
}

/**
 * The verifier's own VerifiedToken. The scope policy of the verifier that made it travels in a
 * private field, so a scope check anywhere (a route middleware, a Nest guard) answers with that
 * verifier's realm, resource metadata and hierarchy, and nothing of it shows when the object is
 * spread, compared or logged.
 */
class VerifiedAccessToken implements VerifiedToken {
  readonly token: string
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<JwtClaims>
  readonly issuer: string
  readonly subject: string | undefined
  readonly clientId: string
  readonly audience: readonly string[]
  readonly scopes: string[]
  readonly expiresAt: number
  readonly kid: string | undefined
  // Declared, not defined: an access token gets no `spiffe: undefined` member.
  declare readonly spiffe?: SpiffeId
  declare readonly kubernetes?: KubernetesIdentity
  readonly binding: TokenBinding | undefined
  readonly #scopePolicy: ScopePolicy

  constructor(
    token: string,
    decoded: DecodedToken,
    audience: readonly string[],
    scopes: readonly string[],
    kid: string | undefined,
    scopePolicy: ScopePolicy,
    origin: TokenOrigin | undefined,
  ) {
    const { claims } = decoded
    const clientId = claims.client_id ?? claims.azp
    this.token = token
    // A remembered header was frozen, and found flat, when it was first verified.
    this.header = decoded.headerKnown ? decoded.header : freezeDeep(decoded.header)
    this.claims = freezeDeep(claims)
    this.issuer = origin?.issuer ?? (claims.iss as string)
    this.subject = claims.sub as string | undefined
    this.clientId = typeof clientId === 'string' ? clientId : ''
    this.audience = audience
    this.scopes = scopes as string[]
    this.expiresAt = claims.exp as number
    this.kid = kid
    // Only workload tokens carry these, so an access token's shape stays what it was.
    if (origin?.spiffe !== undefined) this.spiffe = Object.freeze(origin.spiffe)
    if (origin?.kubernetes !== undefined) this.kubernetes = Object.freeze(origin.kubernetes)
    this.binding = bindingOf(claims)
    this.#scopePolicy = scopePolicy
    Object.freeze(this)
  }

  static scopePolicyOf(auth: object): ScopePolicy | undefined {
    return #scopePolicy in auth ? auth.#scopePolicy : undefined
  }
}

/** `cnf.jkt`, when the token has one that is a string (RFC 9449 §6.1). */
export function bindingOf(claims: JwtClaims): TokenBinding | undefined {
  const { cnf } = claims
  if (typeof cnf !== 'object' || cnf === null) return undefined
  const jkt = Object.hasOwn(cnf, 'jkt') ? (cnf as Record<string, unknown>).jkt : undefined
  return typeof jkt === 'string' ? Object.freeze({ type: 'dpop', jkt }) : undefined
}

/**
 * Freezes a parsed header or claims set and every object and array inside it: a cached
 * VerifiedToken is one object shared by every request presenting the token, so a handler that
 * pushed into `claims.realm_access.roles` would change what the next request sees. Flat members,
 * the common case, cost one pass over the top level; nesting (bounded by the token size) is
 * walked without recursion.
 */
function freezeDeep<T extends object>(root: T): T {
  let nested: object[] | undefined
  // `for…in` is safe on the top level: parsed headers and claims have a null prototype.
  for (const key in root) {
    const value: unknown = root[key]
    if (typeof value === 'object' && value !== null) (nested ??= []).push(value)
  }
  if (nested !== undefined) {
    for (let next = nested.pop(); next !== undefined; next = nested.pop()) {
      for (const value of Object.values(next) as unknown[]) {
        if (typeof value === 'object' && value !== null) nested.push(value)
      }
      Object.freeze(next)
    }
  }
  return Object.freeze(root)
}

/** The scope policy of the verifier that produced `auth`; `undefined` for any other object. */
export function scopePolicyOf(auth: VerifiedToken): ScopePolicy | undefined {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  return typeof auth === 'object' && auth !== null
    ? VerifiedAccessToken.scopePolicyOf(auth)
    : undefined
}

/**
 * Makes the VerifiedTokens of one verifier. The frozen `scopes` and `audience` arrays are shared
 * by tokens whose `scope` / `aud` strings are equal (one client's tokens all carry the same),
 * remembered only from verified tokens.
 */
export class VerifiedTokenBuilder {
  readonly #scopePolicy: ScopePolicy
  readonly #scopeLists = new BoundedMemo<readonly string[]>(256)
  readonly #audienceLists = new BoundedMemo<readonly string[]>(64)

  constructor(scopePolicy: ScopePolicy) {
    this.#scopePolicy = scopePolicy
  }

  /** The granted scopes, frozen; throws `invalid_claim` for a malformed scope claim. */
  scopes(claims: JwtClaims): readonly string[] {
    const text = scopeTextOnly(claims)
    return (
      (text === undefined ? undefined : this.#scopeLists.get(text)) ??
      Object.freeze(normaliseScopes(claims))
    )
  }

  /** The result of a verification that passed every check. */
  build(
    token: string,
    decoded: DecodedToken,
    scopes: readonly string[],
    kid: string | undefined,
    origin?: TokenOrigin,
  ): VerifiedToken {
    const { claims } = decoded
    const scopeText = scopeTextOnly(claims)
    if (scopeText !== undefined && this.#scopeLists.get(scopeText) !== scopes) {
      this.#scopeLists.remember(scopeText, scopes)
    }
    return new VerifiedAccessToken(
      token,
      decoded,
      this.#audience(claims.aud),
      scopes,
      kid,
      this.#scopePolicy,
      origin,
    )
  }

  #audience(aud: unknown): readonly string[] {
    if (typeof aud !== 'string') {
      return Object.freeze(Array.isArray(aud) ? (aud as string[]).slice() : [])
    }
    const known = this.#audienceLists.get(aud)
    if (known !== undefined) return known
    const list = Object.freeze([aud])
    this.#audienceLists.remember(aud, list)
    return list
  }
}

/** The `scope` string when it is the only scope claim, the common case worth sharing. */
function scopeTextOnly(claims: JwtClaims): string | undefined {
  const { scope } = claims
  return typeof scope === 'string' && claims.scp === undefined && claims.permissions === undefined
    ? scope
    : undefined
}
