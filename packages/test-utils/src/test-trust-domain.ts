import { mintToken, type MintOptions } from './mint-token.js'
import type { TestAlgorithm } from './test-algorithm.js'
import { createTestKey, type TestKey } from './test-key.js'
import { selfSignedCertificate } from './x509.js'

/** Options of {@link TestTrustDomain.create}. */
export interface TestTrustDomainOptions {
  /** @defaultValue `'example.org'` */
  trustDomain?: string
  /**
   * `aud` of minted JWT-SVIDs.
   * @defaultValue `'https://api.test'`
   */
  audience?: string
  /**
   * Algorithm of the JWT-SVID signing keys.
   * @defaultValue `'ES256'`, what SPIRE signs with by default
   */
  alg?: TestAlgorithm
  /**
   * `spiffe_refresh_hint` of the bundle, in seconds; `undefined` leaves it out.
   * @defaultValue `undefined`
   */
  refreshHintSeconds?: number
  /** Clock for `iat` and `exp`. @defaultValue `Date.now` */
  now?: () => number
}

/** How long minted JWT-SVIDs live: SPIRE's default JWT-SVID TTL is five minutes. */
const SVID_LIFETIME_S = 300

/**
 * A SPIFFE trust domain for tests: JWT-SVID signing keys (rotatable), X.509-SVID authorities,
 * and the SPIFFE bundle (Trust Domain and Bundle §4) publishing them, with `spiffe_sequence`
 * bumped on every change. Serve {@link TestTrustDomain.bundle} with `startJwksServer({ jwks })`
 * to get a bundle endpoint.
 *
 * @example
 * ```ts
 * const domain = await TestTrustDomain.create({ trustDomain: 'example.org' })
 * const server = await startJwksServer({ jwks: () => domain.bundle() })
 * const svid = domain.mint('/ns/prod/sa/web')
 * ```
 */
export class TestTrustDomain {
  readonly trustDomain: string
  readonly audience: string
  /** `spiffe_sequence` of the next {@link TestTrustDomain.bundle}. */
  sequence = 1
  /** `spiffe_refresh_hint`, in seconds; `undefined` leaves it out. */
  refreshHintSeconds: number | undefined
  readonly #alg: TestAlgorithm
  readonly #now: () => number
  #jwtKeys: TestKey[]
  #x509Keys: { key: TestKey; jwk: Record<string, unknown> }[] = []
  #signingKey: TestKey

  private constructor(options: TestTrustDomainOptions, first: TestKey) {
    this.trustDomain = options.trustDomain ?? 'example.org'
    this.audience = options.audience ?? 'https://api.test'
    this.refreshHintSeconds = options.refreshHintSeconds
    this.#alg = first.alg
    this.#now = options.now ?? Date.now
    this.#jwtKeys = [first]
    this.#signingKey = first
  }

  /** Creates a trust domain with one JWT-SVID signing key. */
  static async create(options: TestTrustDomainOptions = {}): Promise<TestTrustDomain> {
    return new TestTrustDomain(options, await createTestKey(options.alg ?? 'ES256'))
  }

  /** `spiffe://<trust domain>` */
  get id(): string {
    return `spiffe://${this.trustDomain}`
  }

  /** The key that signs minted JWT-SVIDs. */
  get signingKey(): TestKey {
    return this.#signingKey
  }

  /** The published JWT-SVID keys. */
  get jwtKeys(): readonly TestKey[] {
    return [...this.#jwtKeys]
  }

  /**
   * Publishes a new JWT-SVID key and signs with it (the sequence goes up); `retireOld` removes
   * the previous one from the bundle.
   */
  async rotate(options: { retireOld?: boolean; alg?: TestAlgorithm } = {}): Promise<TestKey> {
    const key = await createTestKey(options.alg ?? this.#alg)
    const previous = this.#signingKey
    this.#jwtKeys.push(key)
    if (options.retireOld ?? false) this.#jwtKeys = this.#jwtKeys.filter((k) => k !== previous)
    this.#signingKey = key
    this.sequence += 1
    return key
  }

  /**
   * Publishes an X.509-SVID authority (`use: "x509-svid"`, with its self-signed `x5c`), under
   * `kid` when given (SPIRE publishes them without one); returns the key, whose private half can
   * sign a token that must be refused.
   */
  async addX509Authority(kid?: string): Promise<TestKey> {
    const key = await createTestKey('ES256')
    const jwk: Record<string, unknown> = {
      ...withoutMembers(key.publicJwk, ['alg', 'kid', 'use']),
      use: 'x509-svid',
      x5c: [selfSignedCertificate(key.privateKey, key.publicKey, `${this.trustDomain} X.509 CA`)],
      ...(kid === undefined ? {} : { kid }),
    }
    this.#x509Keys.push({ key: { ...key, kid: kid ?? key.kid }, jwk })
    this.sequence += 1
    return { ...key, kid: kid ?? key.kid }
  }

  /**
   * The SPIFFE bundle: a JWK Set whose JWT-SVID keys have `use: "jwt-svid"`, a `kid` and no
   * `alg` (as SPIRE publishes them), then the X.509-SVID authorities.
   */
  bundle(): Record<string, unknown> {
    const jwtKeys = this.#jwtKeys.map((key) => {
      return { ...withoutMembers(key.publicJwk, ['alg', 'use']), use: 'jwt-svid' }
    })
    return {
      ...(this.refreshHintSeconds === undefined
        ? {}
        : { spiffe_refresh_hint: this.refreshHintSeconds }),
      spiffe_sequence: this.sequence,
      keys: [...jwtKeys, ...this.#x509Keys.map(({ jwk }) => structuredClone(jwk))],
    }
  }

  /**
   * JWT-SVID claims (JWT-SVID §3): `sub` is this trust domain's ID plus `path`, `aud`, `exp`
   * and `iat`; no `iss`. Overrides merge in; an override set to `undefined` deletes the claim.
   */
  claims(path = '/workload', overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = Math.floor(this.#now() / 1000)
    const merged: Record<string, unknown> = {
      sub: `${this.id}${path}`,
      aud: this.audience,
      iat,
      exp: iat + SVID_LIFETIME_S,
      ...overrides,
    }
    return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined))
  }

  /** Mints a JWT-SVID with `typ: "JWT"`, signed by the current signing key unless `options.key`. */
  mint(
    path = '/workload',
    overrides: Record<string, unknown> = {},
    options: MintOptions = {},
  ): string {
    return mintToken(this.claims(path, overrides), options.key ?? this.#signingKey, {
      typ: 'JWT',
      ...options,
    })
  }
}

function withoutMembers(
  jwk: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(structuredClone(jwk)).filter(([name]) => !names.includes(name)),
  )
}
