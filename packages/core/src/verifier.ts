import type { JwsAlgorithm } from './algorithms.js'
import { BoundedMemo } from './bounded-memo.js'
import { checkClaims, checkTimes } from './claims.js'
import { decodeToken, type DecodedToken } from './decode-token.js'
import type { DiscoveryHealth } from './discovery.js'
import { isKeywardError, KeywardError, type KeywardErrorCode } from './errors.js'
import type { AuthScheme } from './errors.js'
import { clip, EventSink } from './events.js'
import { createHash } from 'node:crypto'
import { DpopNonces } from './dpop-nonce.js'
import { checkProof, proofReplayKey, type CheckedProof, type DpopPolicy } from './dpop-proof.js'
import { extractCredentials, type BearerRequest } from './extract-bearer-token.js'
import { importVerificationKey } from './jwk-import.js'
import { MemoryReplayStore, type ReplayStore } from './replay-store.js'
import { checkHeader, type CheckedHeader } from './header-policy.js'
import type { VerificationKey } from './jwk-import.js'
import {
  createIssuerRuntime,
  type IssuerRuntime,
  type SharedIssuerParts,
} from './issuer-runtime.js'
import type { KeyRefreshResult, KeySourceHealth } from './jwks-key-source.js'
import { keyFits } from './key-algorithm.js'
import { OperatorLog } from './operator-log.js'
import { readKeySelector, type KeySelector } from './key-revocations.js'
import type { KeySet } from './key-set.js'
import type { AuthenticateOptions, VerifierOptions } from './options.js'
import { RefreshBudget } from './refresh-budget.js'
import { checkReplicatedClaims } from './replicated-claims.js'
import { resolveOptions, type ResolvedIssuer, type ResolvedOptions } from './resolve-options.js'
import { isInsecureHttpUrl } from './safe-fetch-url.js'
import { verifySignature } from './signature.js'
import { SignatureScheduler } from './signature-scheduler.js'
import { TenantIssuerCache, type TenantCacheHealth } from './tenant-issuer-cache.js'
import { TokenPolicy } from './token-policy.js'
import { VerifiedTokenCache } from './verified-token-cache.js'
import { VerificationEvents, type TokenParts, type Verification } from './verification-events.js'
import {
  bindingOf,
  VerifiedTokenBuilder,
  type JwtClaims,
  type TokenOrigin,
  type VerifiedToken,
} from './verified-token.js'
import { jwtSvidTrustDomain, readWorkloadIdentity } from './workload-identity.js'
import type { ChallengeOptions, DpopChallenge } from './www-authenticate.js'

/** One issuer's key state, and what discovery refused. */
export type IssuerHealth = KeySourceHealth &
  DiscoveryHealth & {
    /** A tenant issuer (from an `issuers` resolver), created on its first token. */
    readonly tenant: boolean
  }

/** Readiness of a verifier: every issuer's key state. */
export interface VerifierHealth {
  /**
   * True when every configured issuer has usable keys (fresh or last-known-good) and its key
   * policy and revocations leave it at least one trusted key. Tenant issuers are listed but do
   * not count: one tenant's outage must not take the whole service out of rotation.
   */
  readonly ready: boolean
  /** Configured issuers, then the cached tenant issuers (at most `tenantCacheSize`). */
  readonly issuers: readonly IssuerHealth[]
  /** With an `issuers` resolver: the tenant cache's size, bound and evictions. */
  readonly tenants: TenantCacheHealth | undefined
}

/** What `verifier.revokeKey()` did. */
export interface KeyRevocationResult {
  /** `false` when the same revocation was already in force. */
  readonly revoked: boolean
  /** Trusted keys it removed at once (0 when the JWKS does not publish the key right now). */
  readonly removedKeys: number
}

/** What `verifier.restoreKey()` did. */
export interface KeyRestoreResult {
  /** `false` when no such revocation was in force. */
  readonly restored: boolean
  /** Keys still published (and admitted by the key policy) that verify again at once. */
  readonly restoredKeys: number
}

/**
 * Verifies access tokens for one API. Create it once at start-up and share it: it owns the key
 * caches and the background refresh.
 */
export interface Verifier {
  /** Verifies a compact JWS; resolves to the token's verified view or rejects with a {@link KeywardError}. */
  verify(token: string): Promise<VerifiedToken>
  /**
   * Extracts the bearer token of a request (RFC 6750 §2) and verifies it. With `optional`, a
   * request without a token resolves to `undefined`; a bad token still fails.
   */
  authenticate(
    request: BearerRequest,
    options?: AuthenticateOptions,
  ): Promise<VerifiedToken | undefined>
  /** Fetches every issuer's keys now; rejects with `jwks_unavailable` if any has none. */
  warmup(): Promise<void>
  /** Key state per issuer, for readiness probes and dashboards. */
  health(): VerifierHealth
  /**
   * Incident control: refuses a key of an issuer from the next request on, verified-token cache
   * hits included, by `kid` (every key published under it) or RFC 7638 `thumbprint` (that key
   * under any kid). Lasts for the verifier's lifetime, across refetches, until
   * {@link Verifier.restoreKey}; listed in `health()`. Its tokens get `unknown_key` (401)
   * without a refetch. A selector that is not an object with a configured `issuer` and exactly
   * one of `kid` or `thumbprint` throws a `TypeError`.
   */
  revokeKey(selector: KeySelector): KeyRevocationResult
  /** Lifts a revocation made by {@link Verifier.revokeKey}, with the same selector. */
  restoreKey(selector: KeySelector): KeyRestoreResult
  /**
   * Fetches an issuer's keys now (every issuer's without an argument; a discovered issuer's
   * metadata too), past the unknown-kid cooldown and any backoff but within the shared refresh
   * budget (`jwks.refreshBudget`), and resolves to one result per issuer. An issuer that is not configured rejects with a
   * `TypeError`.
   */
  refresh(issuer?: string): Promise<readonly KeyRefreshResult[]>
  /** Stops background refreshes and aborts fetches in flight. Verification keeps working from cache. */
  close(): void
  /** The challenge parameters (realm, resource metadata) of this verifier's errors. */
  readonly challenge: ChallengeOptions
}

const SIGNATURE_OK = 0
const SIGNATURE_BAD = 1
const NO_KEY = 2
const SIGNATURE_PENDING = 3
/** A token without `kid` that more than one published key could verify: never tried. */
const AMBIGUOUS_KEY = 4
type SettledAttempt =
  | { readonly outcome: typeof SIGNATURE_OK; readonly key: VerificationKey }
  | {
      readonly outcome: typeof SIGNATURE_BAD | typeof NO_KEY | typeof AMBIGUOUS_KEY
      readonly key?: undefined
    }
/** The signature is being checked in the thread pool. */
interface PendingAttempt {
  readonly outcome: typeof SIGNATURE_PENDING
  readonly key: VerificationKey
  readonly verdict: Promise<boolean>
}

/**
 * Creates a {@link Verifier}. Options are validated here; a mistake throws a `TypeError`
 * naming the option, never a per-request error.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com/',
 *   audience: 'https://api.example.com',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 * })
 * const auth = await verifier.verify(token)
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new TokenVerifier(options)
}

/**
 * The verifier for an adapter's first argument: a {@link Verifier} (anything with an
 * `authenticate` method) is used as is, so several middlewares share its keys and caches;
 * options create a new one with {@link createVerifier}.
 *
 * @example
 * ```ts
 * export function bearerAuth(options: VerifierOptions | Verifier) {
 *   const verifier = resolveVerifier(options) // once, at start-up
 * }
 * ```
 */
export function resolveVerifier(optionsOrVerifier: VerifierOptions | Verifier): Verifier {
  const candidate = optionsOrVerifier as Partial<Verifier> | null | undefined
  // Options never have an `authenticate` function; anything else goes to createVerifier, which
  // names what is wrong with it.
  return typeof candidate?.authenticate === 'function'
    ? (optionsOrVerifier as Verifier)
    : createVerifier(optionsOrVerifier as VerifierOptions)
}

class TokenVerifier implements Verifier {
  readonly challenge: ChallengeOptions
  readonly #options: ResolvedOptions
  readonly #issuers = new Map<string, IssuerRuntime>()
  /** With an `issuers` resolver: the tenant issuers, created on their first token. */
  readonly #tenants: TenantIssuerCache | undefined
  readonly #cache: VerifiedTokenCache<IssuerRuntime>
  readonly #events: EventSink
  /** `token_verified` / `token_rejected`, timed while someone listens. */
  readonly #outcomes: VerificationEvents
  readonly #log: OperatorLog
  readonly #now: () => number
  readonly #tokens: VerifiedTokenBuilder
  readonly #signatures: SignatureScheduler
  /** Parsed headers by segment, from verified tokens: an issuer signs with only a few. */
  readonly #headers = new BoundedMemo<Readonly<Record<string, unknown>>>(64)
  /** Whether errors need this verifier's realm / resource metadata in their challenge. */
  readonly #challenged: boolean
  /** The `validate` and `isRevoked` hooks, asked for every verification. */
  readonly #policy: TokenPolicy
  /** Whether any SPIFFE trust domain is configured: tokens without a known `iss` may be JWT-SVIDs. */
  #trustSvids = false
  /** DPoP proof checking, when any issuer accepts DPoP. */
  readonly #dpop: DpopPolicy | undefined
  /** Proof keys by proof header segment, from verified proofs: a client reuses its key. */
  readonly #proofKeys = new BoundedMemo<VerificationKey>(256)
  /** Where proof `jti`s (and single-use token `jti`s) are claimed. */
  readonly #replay: ReplayStore | undefined
  /** Whether a token is in the verified-token cache: its header syntax needs no second look. */
  readonly #verifiedBefore = (token: string): boolean => this.#cache.has(token)
  /** Errors already reported, so a nested step's rejection is not reported twice. */
  readonly #rejected = new WeakSet<object>()

  constructor(options: VerifierOptions) {
    const resolved = resolveOptions(options)
    this.#options = resolved
    this.#now = resolved.now
    this.#events = new EventSink(resolved.onEvent)
    this.#outcomes = new VerificationEvents(this.#events)
    // Tenant issuers (resolved per token) take `dpop.mode` unless their options say otherwise.
    const modes = resolved.issuers.map((entry) => entry.dpopMode)
    if (resolved.tenants !== undefined) modes.push(resolved.dpop?.mode ?? 'off')
    const dpop = resolved.dpop
    const dpopOn = modes.some((mode) => mode !== 'off')
    const dpopChallenge: DpopChallenge | undefined = dpopOn
      ? Object.freeze({
          algorithms: dpop?.algorithms ?? [],
          // RFC 9449 §7.2: Bearer is offered too unless every issuer requires DPoP.
          bearer: modes.some((mode) => mode !== 'required'),
        })
      : undefined
    this.#log = new OperatorLog(resolved.logger)
    this.challenge = Object.freeze({
      realm: resolved.realm,
      resourceMetadataUrl: resolved.resourceMetadataUrl,
      dpop: dpopChallenge,
      scopes: resolved.challengeScopes,
    })
    this.#dpop =
      dpopOn && dpop !== undefined
        ? {
            algorithms: new Set(dpop.algorithms),
            maxProofBytes: dpop.maxProofBytes,
            maxAgeMs: dpop.maxProofAgeMs,
            clockToleranceMs: dpop.clockToleranceMs,
            uri: { base: dpop.publicBaseUrl, trustProxy: dpop.trustProxy },
            nonces:
              dpop.nonce === undefined
                ? undefined
                : new DpopNonces({
                    secret: dpop.nonce.secret,
                    windowMs: dpop.nonce.windowMs,
                    now: resolved.now,
                  }),
          }
        : undefined
    this.#replay =
      resolved.replayStore ??
      (this.#dpop !== undefined || resolved.singleUseTokens
        ? new MemoryReplayStore({ now: resolved.now })
        : undefined)
    this.#signatures = new SignatureScheduler(resolved.signatureThreads)
    this.#tokens = new VerifiedTokenBuilder({
      challenge: this.challenge,
      hierarchy: resolved.scopeHierarchy,
    })
    this.#challenged =
      resolved.realm !== undefined ||
      resolved.resourceMetadataUrl !== undefined ||
      dpopChallenge !== undefined ||
      resolved.challengeScopes !== undefined
    this.#policy = new TokenPolicy({
      validate: resolved.validate,
      isRevoked: resolved.isRevoked,
      timeoutMs: resolved.hookTimeoutMs,
      revocationRetryAfterMs: resolved.revocationRetryAfterMs,
      events: this.#events,
    })
    const { jwks } = resolved
    const shared: SharedIssuerParts = {
      jwks,
      budget: new RefreshBudget(jwks.refreshBudget, jwks.refreshBudgetWindowMs),
      events: this.#events,
      log: this.#log,
      allowHttp: resolved.dangerouslyAllowInsecureHttp !== false,
      now: resolved.now,
      random: resolved.random,
    }
    for (const config of resolved.issuers) {
      this.#issuers.set(config.issuer, createIssuerRuntime(config, shared, false))
      if (config.workload?.kind === 'spiffe') this.#trustSvids = true
    }
    this.#tenants =
      resolved.tenants === undefined
        ? undefined
        : new TenantIssuerCache(
            resolved.tenants,
            (config) => createIssuerRuntime(config, shared, true),
            this.#events,
          )
    const insecure = resolved.issuers
      .map((config) => config.jwksUri ?? config.issuer)
      .filter(isInsecureHttpUrl)
    if (insecure.length > 0) {
      this.#log.insecureHttp(
        insecure,
        resolved.dangerouslyAllowInsecureHttp === 'even-in-production',
      )
    }
    this.#cache = new VerifiedTokenCache(resolved.verifiedTokenCacheSize)
  }

  verify(token: string): Promise<VerifiedToken> {
    const verification = this.#outcomes.start()
    return this.#outcomes.settle(() => this.#verifyBearer(token, verification), verification)
  }

  #verifyBearer(
    token: string,
    verification: Verification | undefined,
  ): VerifiedToken | Promise<VerifiedToken> {
    const verified = this.#verifyToken(token, 'Bearer', verification)
    return this.#options.singleUseTokens
      ? Promise.resolve(verified).then((auth) => this.#claimToken(auth, 'Bearer'))
      : verified
  }

  /**
   * Verifies the token as sent with `scheme`. Not `async`: a token served from the cache, or
   * verified with keys already cached, is answered (or thrown) at once, with no await in
   * between, so `verify` settles in one promise. Throws, or returns a promise that rejects,
   * with the error already reported.
   */
  #verifyToken(
    token: string,
    scheme: AuthScheme,
    verification: Verification | undefined,
  ): VerifiedToken | Promise<VerifiedToken> {
    const cached = typeof token === 'string' ? this.#fromCache(token) : undefined
    if (cached !== undefined) {
      if (verification !== undefined) verification.cached = true
      try {
        checkScheme(cached.issuer, cached.auth.claims, scheme)
      } catch (error) {
        throw this.#reject(error, cached.auth, scheme)
      }
      return this.#judgeCached(token, cached.auth, scheme)
    }
    let decoded: DecodedToken | undefined
    try {
      if (typeof token !== 'string') throw new KeywardError('malformed_token')
      decoded = decodeToken(token, this.#options.maxTokenBytes, this.#headers)
      const { claims } = decoded
      // The issuer picks the policy and the keys before any network I/O; an unknown issuer
      // never causes a fetch.
      const issuer = this.#routeToken(claims)
      // Before the signature: a scheme this issuer's tokens cannot use costs nothing more.
      checkScheme(issuer, claims, scheme)
      const header = checkHeader(decoded.header, issuer.config.header)
      checkClaims(claims, issuer.config.claims, this.#now())
      if (issuer.config.workload !== undefined) readWorkloadIdentity(issuer.config.workload, claims)
      checkReplicatedClaims(decoded.header, claims)
      const scopes = this.#tokens.scopes(claims)
      const set = issuer.keys.current()
      if (set === undefined)
        return this.#verifyAfterFetch(token, decoded, issuer, header, scopes, undefined, scheme)
      const attempt = attemptSignature(set, issuer.config, header, decoded, this.#signatures)
      if (attempt.outcome === SIGNATURE_OK) {
        const accepted = this.#accept(token, decoded, issuer, header, scopes, attempt.key)
        if (!(accepted instanceof Promise)) return accepted
        const seen = decoded
        return accepted.catch((error: unknown) => {
          throw this.#reject(error, seen, scheme)
        })
      }
      if (attempt.outcome === SIGNATURE_PENDING) {
        return this.#acceptAfterThreadPool(token, decoded, issuer, header, scopes, attempt, scheme)
      }
      // A known key id whose key does not verify: no refresh can change that.
      if (attempt.outcome === SIGNATURE_BAD && header.kid !== undefined) {
        throw new KeywardError('invalid_signature')
      }
      if (attempt.outcome === AMBIGUOUS_KEY) throw new KeywardError('unknown_key')
      return this.#verifyAfterFetch(
        token,
        decoded,
        issuer,
        header,
        scopes,
        { set, attempt },
        scheme,
      )
    } catch (error) {
      throw this.#reject(error, decoded, scheme)
    }
  }

  /**
   * The issuer whose policy and keys decide a token: the one its `iss` names, else, for a
   * verifier that trusts SPIFFE trust domains, the trust domain of a JWT-SVID's `sub`.
   */
  #routeToken(claims: Readonly<Record<string, unknown>>): IssuerRuntime {
    const { iss } = claims
    const named = typeof iss === 'string' ? this.#issuerOf(iss) : undefined
    if (named !== undefined) return named
    const trustDomain = this.#trustSvids ? jwtSvidTrustDomain(claims) : undefined
    if (trustDomain === undefined) throw new KeywardError('invalid_issuer')
    const domain = this.#issuers.get(`spiffe://${trustDomain}`)
    if (domain?.config.workload?.kind !== 'spiffe') throw new KeywardError('untrusted_trust_domain')
    return domain
  }

  /** A cached verification, if its key is still published and its time claims still hold. */
  #fromCache(
    token: string,
  ): { readonly auth: VerifiedToken; readonly issuer: IssuerRuntime } | undefined {
    const cached = this.#cache.get(token)
    if (cached === undefined) return undefined
    const { auth, key, issuer } = cached
    try {
      if (!issuer.retired && issuer.keys.isActive(key)) {
        checkTimes(auth.claims, issuer.config.claims, this.#now())
        key.verifications++
        return cached
      }
    } catch {
      // Expired since it was cached: verify afresh for the precise error.
    }
    this.#cache.delete(token)
    return undefined
  }

  /**
   * A cached verification still goes through the verifier's hooks (`validate`, `isRevoked`): a
   * token that no longer passes leaves the cache.
   */
  #judgeCached(
    token: string,
    auth: VerifiedToken,
    scheme: AuthScheme,
  ): VerifiedToken | Promise<VerifiedToken> {
    try {
      const pending = this.#policy.judge(auth)
      if (pending === undefined) return auth
      return pending.then(
        () => auth,
        (error: unknown) => {
          this.#cache.delete(token)
          throw this.#reject(error, auth, scheme)
        },
      )
    } catch (error) {
      this.#cache.delete(token)
      throw this.#reject(error, auth, scheme)
    }
  }

  /**
   * The signature verified: remember the header, build the result, and ask the verifier's
   * hooks; the verification is cached only once they passed. Throws, or returns a promise that
   * rejects, with the hooks' error, unclassified (the caller's `#reject` reports it once).
   */
  #accept(
    token: string,
    decoded: DecodedToken,
    issuer: IssuerRuntime,
    header: CheckedHeader,
    scopes: readonly string[],
    key: VerificationKey,
  ): VerifiedToken | Promise<VerifiedToken> {
    // Only flat headers are shared: a nested member (an ignored `x5c` array, say) would be an
    // object every request could reach and change.
    if (!decoded.headerKnown && isFlat(decoded.header)) {
      this.#headers.remember(decoded.headerSegment, decoded.header)
    }
    const auth = this.#tokens.build(token, decoded, scopes, header.kid, originOf(issuer, decoded))
    // The key inventory's use count; the first use also judges the key's pre-publication.
    if (key.verifications++ === 0) issuer.keys.noteFirstUse(key)
    const pending = this.#policy.judge(auth)
    if (pending === undefined) {
      this.#cache.set(token, { auth, key, issuer })
      return auth
    }
    return pending.then(() => {
      this.#cache.set(token, { auth, key, issuer })
      return auth
    })
  }

  /** The signature is being checked in the thread pool: accept or reject when it answers. */
  async #acceptAfterThreadPool(
    token: string,
    decoded: DecodedToken,
    issuer: IssuerRuntime,
    header: CheckedHeader,
    scopes: readonly string[],
    attempt: PendingAttempt,
    scheme: AuthScheme,
  ): Promise<VerifiedToken> {
    try {
      if (!(await attempt.verdict)) throw new KeywardError('invalid_signature')
      return await this.#accept(token, decoded, issuer, header, scopes, attempt.key)
    } catch (error) {
      throw this.#reject(error, decoded, scheme)
    }
  }

  /**
   * The slow path. No keys cached yet: fetch them. A key id the cached set lacks, or a token
   * without a kid that no cached key verifies: the issuer may have rotated, so refresh once
   * (coalesced, rate-limited) and try again. Every cheap check has passed by now, so the
   * network cost is worth it.
   */
  async #verifyAfterFetch(
    token: string,
    decoded: DecodedToken,
    issuer: IssuerRuntime,
    header: CheckedHeader,
    scopes: readonly string[],
    cached: { readonly set: KeySet; readonly attempt: SettledAttempt } | undefined,
    scheme: AuthScheme,
  ): Promise<VerifiedToken> {
    try {
      const set = cached?.set ?? (await issuer.keys.require())
      let attempt = cached?.attempt ?? attemptSignature(set, issuer.config, header, decoded)
      if (
        attempt.outcome === NO_KEY ||
        (header.kid === undefined && attempt.outcome === SIGNATURE_BAD)
      ) {
        checkKeyUse(issuer, header)
        const refreshed = await issuer.keys.refreshForUnknownKid(header.kid)
        if (refreshed !== undefined && refreshed !== set) {
          attempt = attemptSignature(refreshed, issuer.config, header, decoded)
        }
      }
      if (attempt.outcome === NO_KEY) checkKeyUse(issuer, header)
      if (attempt.outcome !== SIGNATURE_OK) {
        throw new KeywardError(
          attempt.outcome === SIGNATURE_BAD ? 'invalid_signature' : 'unknown_key',
        )
      }
      return await this.#accept(token, decoded, issuer, header, scopes, attempt.key)
    } catch (error) {
      throw this.#reject(error, decoded, scheme)
    }
  }

  authenticate(
    request: BearerRequest,
    options?: AuthenticateOptions | null,
  ): Promise<VerifiedToken | undefined> {
    // Not `async`, like `verify`: a cached token settles in one promise.
    const scopes = options?.challengeScopes
    const verification = this.#outcomes.start()
    let credentials
    try {
      credentials = extractCredentials(
        request,
        this.#options,
        this.#dpop !== undefined,
        this.#verifiedBefore,
      )
    } catch (error) {
      return this.#outcomes.failed(this.#reject(error, undefined, 'Bearer'), verification)
    }
    if (credentials === undefined) {
      if (options?.optional === true) return Promise.resolve(undefined)
      return Promise.reject(
        new KeywardError('missing_token', { challenge: this.#challengeFor(scopes) }),
      )
    }
    const { scheme, token } = credentials
    const dpop = this.#dpop
    const verified = this.#outcomes.settle(
      () =>
        scheme === 'Bearer' || dpop === undefined
          ? this.#verifyBearer(token, verification)
          : this.#authenticateDpop(request, token, dpop, verification),
      verification,
    )
    if (scopes === undefined) return verified
    // A route's own 401 scopes (RFC 6750 §3): its challenges name them instead of the default.
    return verified.catch((error: unknown) => {
      const failure = error as KeywardError
      throw failure.status === 401 ? failure.withChallenge(this.#challengeFor(scopes)) : failure
    })
  }

  /** This verifier's challenge, naming `scopes` on 401s when given. */
  #challengeFor(scopes: readonly string[] | undefined): ChallengeOptions {
    return scopes === undefined ? this.challenge : { ...this.challenge, scopes }
  }

  /**
   * RFC 9449 §7: a DPoP-bound token and its proof. Cheap checks first (§4.3 without the
   * signature), then the token (its signature is cached for repeated tokens), then the binding,
   * and only then the proof's signature: an unauthenticated caller can make keyward check at
   * most the one signature a Bearer request costs, and a second only with a valid bound token.
   * The replay store is asked last, so only complete, valid proofs are claimed.
   */
  async #authenticateDpop(
    request: BearerRequest,
    token: string,
    policy: DpopPolicy,
    verification: Verification | undefined,
  ): Promise<VerifiedToken> {
    let proof: CheckedProof
    try {
      proof = checkProof(request, token, policy, this.#now())
    } catch (error) {
      throw this.#reject(error, undefined, 'DPoP')
    }
    const auth = await this.#verifyToken(token, 'DPoP', verification)
    try {
      const key = await this.#proofKey(proof)
      // RFC 9449 §4.3 check 12, §6.1: the token is bound to this key.
      if (key.thumbprint !== auth.binding?.jkt) throw new KeywardError('dpop_binding_mismatch')
      const { signingInput, signature } = proof.decoded
      if (!verifySignature(key, proof.alg, signingInput, signature)) {
        throw new KeywardError('invalid_dpop_proof', { cause: 'signature' })
      }
      this.#proofKeys.remember(proof.decoded.headerSegment, key)
      // RFC 9449 §11.1: single use, across every instance sharing the store.
      await this.#claim(
        proofReplayKey(key.thumbprint, proof.jti),
        proof.acceptableUntil,
        'dpop_proof_replayed',
      )
      return this.#options.singleUseTokens ? await this.#claimToken(auth, 'DPoP') : auth
    } catch (error) {
      throw this.#reject(error, auth, 'DPoP')
    }
  }

  /** The proof's `jwk`, validated and imported like a JWKS key (private members refused). */
  async #proofKey(proof: CheckedProof): Promise<VerificationKey> {
    const known = this.#proofKeys.get(proof.decoded.headerSegment)
    if (known !== undefined) return known
    const imported = await importVerificationKey(proof.jwk)
    if (imported.key === undefined) {
      throw new KeywardError('invalid_dpop_proof', { cause: imported.reason })
    }
    return imported.key
  }

  /** Single-use access tokens: the `jti` is claimed until the token expires. */
  async #claimToken(auth: VerifiedToken, scheme: AuthScheme): Promise<VerifiedToken> {
    try {
      const { jti } = auth.claims
      if (typeof jti !== 'string' || jti === '') throw new KeywardError('invalid_claim')
      const key = `jti:${createHash('sha256').update(`${auth.issuer}\n${jti}`).digest('base64url')}`
      await this.#claim(key, auth.expiresAt * 1000, 'token_replayed')
      return auth
    } catch (error) {
      throw this.#reject(error, auth, scheme)
    }
  }

  /** Claims a one-time value; a store that cannot answer fails closed (503). */
  async #claim(key: string, expiresAt: number, replayed: KeywardErrorCode): Promise<void> {
    const store = this.#replay
    if (store === undefined) return
    // `unknown`: a JavaScript store might answer anything; only `true` is a first claim.
    let fresh: unknown
    try {
      fresh = await store.claim(key, expiresAt)
    } catch (error) {
      this.#events.emit({ type: 'replay_store_unavailable', reason: reasonOf(error) })
      throw new KeywardError('replay_store_unavailable', {
        cause: error,
        retryAfterMs: retryAfterOf(error),
      })
    }
    if (fresh !== true) throw new KeywardError(replayed)
  }

  async warmup(): Promise<void> {
    await Promise.all([...this.#issuers.values()].map(({ keys }) => keys.warmup()))
  }

  health(): VerifierHealth {
    const issuers = [...this.#issuers.values(), ...(this.#tenants?.cached() ?? [])].map(
      ({ keys, discovery, tenant }) => ({
        ...keys.health(),
        refusedJwksUri: discovery?.health().refusedJwksUri,
        tenant,
      }),
    )
    return {
      ready: issuers.every(
        (entry) => entry.tenant || (entry.state !== 'unavailable' && !entry.hygiene.noTrustedKeys),
      ),
      issuers,
      tenants: this.#tenants?.health(),
    }
  }

  revokeKey(selector: KeySelector): KeyRevocationResult {
    const { issuer, ...key } = readKeySelector(selector, 'revokeKey')
    return this.#issuer(issuer).keys.revoke(key)
  }

  restoreKey(selector: KeySelector): KeyRestoreResult {
    const { issuer, ...key } = readKeySelector(selector, 'restoreKey')
    return this.#issuer(issuer).keys.restore(key)
  }

  async refresh(issuer?: string): Promise<readonly KeyRefreshResult[]> {
    const targets =
      issuer === undefined
        ? [...this.#issuers.values(), ...(this.#tenants?.cached() ?? [])]
        : [this.#issuer(issuer)]
    return Promise.all(targets.map(({ keys }) => keys.refreshNow()))
  }

  /** The runtime of a trusted issuer: configured, or a tenant the resolver trusts. */
  #issuerOf(iss: string): IssuerRuntime | undefined {
    return this.#issuers.get(iss) ?? this.#tenants?.get(iss)
  }

  /**
   * An operator call named an issuer: it must be one of this verifier's, exactly. A tenant
   * issuer the resolver trusts gets its runtime now (no fetch), so a key can be revoked before
   * the tenant's next token.
   */
  #issuer(issuer: unknown): IssuerRuntime {
    const found = typeof issuer === 'string' ? this.#issuerOf(issuer) : undefined
    if (found === undefined) throw new TypeError('"issuer" is not an issuer of this verifier')
    return found
  }

  close(): void {
    for (const { keys, config } of this.#issuers.values()) {
      keys.close()
      config.closeFetch?.()
    }
    this.#tenants?.close()
    this.#options.jwks.closeFetch?.()
  }

  /**
   * Turns any failure into a KeywardError with this verifier's challenge, on the scheme the
   * request used, and reports it. An error already answered (a nested step's) passes through.
   */
  #reject(error: unknown, decoded: TokenParts | undefined, scheme: AuthScheme): KeywardError {
    if (this.#rejected.has(error as object)) return error as KeywardError
    let failure = isKeywardError(error)
      ? error
      : // Nothing may escape unclassified: a surprise inside a crypto or JSON layer is a bad token.
        new KeywardError('malformed_token', { cause: error })
    if (this.#challenged && failure.challenge !== this.challenge && failure.status !== 503) {
      failure = failure.withChallenge(this.challenge)
    }
    failure = failure.withScheme(scheme)
    this.#rejected.add(failure)
    if (decoded !== undefined) this.#logRefusal(failure.code, decoded.claims)
    // Reported when the verification settles, with its duration.
    this.#outcomes.rejected(failure, decoded)
    return failure
  }

  /** The operator line for the first `iss` / `aud` mismatch: the values on both sides. */
  #logRefusal(code: KeywardErrorCode, claims: Readonly<Record<string, unknown>>): void {
    if (code !== 'invalid_issuer' && code !== 'invalid_audience') return
    const issuer = typeof claims.iss === 'string' ? this.#issuers.get(claims.iss) : undefined
    this.#log.tokenRefused(code, claims, {
      issuers: [...this.#issuers.keys()],
      audiences: issuer?.config.claims.audiences,
    })
  }
}

/**
 * A token naming a key its issuer publishes for something else: a SPIFFE bundle's X.509-SVID
 * authority (Trust Domain and Bundle §4.2.2) never signs JWT-SVIDs. Known without a refetch.
 */
function checkKeyUse(issuer: IssuerRuntime, header: CheckedHeader): void {
  if (header.kid === undefined || issuer.config.workload?.kind !== 'spiffe') return
  if (issuer.keys.dropReasonOf(header.kid) === 'x509_svid_key') {
    throw new KeywardError('x509_svid_key')
  }
}

/** What a workload token names besides its claims; `undefined` for an access token. */
function originOf(issuer: IssuerRuntime, decoded: DecodedToken): TokenOrigin | undefined {
  const { workload } = issuer.config
  if (workload === undefined) return undefined
  return { issuer: issuer.config.issuer, ...readWorkloadIdentity(workload, decoded.claims) }
}

/**
 * Whether a token of this issuer may come with this scheme: DPoP only where the issuer accepts
 * it, and with a `cnf.jkt` to bind the proof to; Bearer never for an issuer that requires DPoP,
 * nor for a sender-constrained token (any `cnf`), which would be a downgrade (RFC 9449 §7.2).
 */
function checkScheme(issuer: IssuerRuntime, claims: JwtClaims, scheme: AuthScheme): void {
  const mode = issuer.config.dpopMode
  if (scheme === 'DPoP') {
    if (mode === 'off') throw new KeywardError('dpop_not_accepted')
    if (bindingOf(claims) === undefined) throw new KeywardError('dpop_binding_mismatch')
    return
  }
  if (claims.cnf !== undefined) throw new KeywardError('sender_constrained_token')
  if (mode === 'required') throw new KeywardError('dpop_required')
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const name = (error as { name?: unknown } | null)?.name
  return clip(typeof code === 'string' ? code : typeof name === 'string' ? name : 'error')
}

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

function isFlat(object: Readonly<Record<string, unknown>>): boolean {
  for (const key in object) {
    const value = object[key]
    if (typeof value === 'object' && value !== null) return false
  }
  return true
}

/**
 * Checks the signature with the key the header names or, for a token without `kid`, with the
 * one published key that could verify its algorithm. When several could, none is tried
 * (`AMBIGUOUS_KEY`): trying each would let any forged token cost one signature check per
 * published key (RFC 8725 §3.1; RFC 7515 §4.1.4 makes `kid` the way to pick among several).
 * With a `scheduler`, the check may go to the thread pool.
 */
function attemptSignature(
  set: KeySet,
  issuer: ResolvedIssuer,
  header: CheckedHeader,
  decoded: DecodedToken,
): SettledAttempt
function attemptSignature(
  set: KeySet,
  issuer: ResolvedIssuer,
  header: CheckedHeader,
  decoded: DecodedToken,
  scheduler: SignatureScheduler,
): SettledAttempt | PendingAttempt
function attemptSignature(
  set: KeySet,
  issuer: ResolvedIssuer,
  header: CheckedHeader,
  decoded: DecodedToken,
  scheduler?: SignatureScheduler,
): SettledAttempt | PendingAttempt {
  const alg: JwsAlgorithm = header.alg
  let key: VerificationKey | undefined
  if (header.kid !== undefined) {
    key = set.byKid.get(header.kid)
    if (key === undefined) return { outcome: NO_KEY }
    // A key whose one algorithm is another is not this token's key (RFC 8725 §3.1).
    if (!keyFits(key, alg, issuer.rsaAlgorithm)) return { outcome: SIGNATURE_BAD }
  } else {
    for (const candidate of set.keys) {
      if (!keyFits(candidate, alg, issuer.rsaAlgorithm)) continue
      if (key !== undefined) return { outcome: AMBIGUOUS_KEY }
      key = candidate
    }
    if (key === undefined) return { outcome: NO_KEY }
  }
  const verdict =
    scheduler === undefined
      ? verifySignature(key, alg, decoded.signingInput, decoded.signature)
      : scheduler.check(key, alg, decoded.signingInput, decoded.signature)
  if (typeof verdict !== 'boolean') return { outcome: SIGNATURE_PENDING, key, verdict }
  return verdict ? { outcome: SIGNATURE_OK, key } : { outcome: SIGNATURE_BAD }
}
