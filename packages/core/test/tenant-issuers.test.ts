import { expectedChallenge } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createVerifier,
  isKeywardError,
  type KeywardError,
  type KeywardEvent,
  type Verifier,
  type VerifierOptions,
} from '../src/index.js'
import { startTenantJwks, TENANT_ISSUER, type TenantJwks } from './support/tenant-jwks.js'

const AUDIENCE = 'https://api.tenants.test'
const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

interface Setup {
  readonly jwks: TenantJwks
  readonly verifier: Verifier
  readonly events: KeywardEvent[]
  /** A valid token of `tenant`, signed with its current key. */
  token(tenant: string, claims?: Record<string, unknown>): Promise<string>
}

async function setup(
  options: (jwks: TenantJwks) => Omit<VerifierOptions, 'onEvent'>,
): Promise<Setup> {
  const jwks = await startTenantJwks()
  cleanup.push(() => jwks.close())
  const events: KeywardEvent[] = []
  const verifier = createVerifier({
    ...options(jwks),
    onEvent: (event) => events.push(event),
  } as VerifierOptions)
  cleanup.push(() => {
    verifier.close()
  })
  return {
    jwks,
    verifier,
    events,
    token: async (tenant, claims) => (await jwks.issuer(tenant)).mint(claims),
  }
}

/** A tenant template over `tenants`, with keys per tenant. */
function template(tenants: readonly string[], settings: Record<string, unknown> = {}) {
  return (jwks: TenantJwks) =>
    ({
      issuers: { issuer: TENANT_ISSUER, tenants, audience: AUDIENCE, jwksUri: jwks.jwksUri },
      ...settings,
    }) as VerifierOptions
}

async function rejection(promise: Promise<unknown>): Promise<KeywardError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
  if (!isKeywardError(error)) throw error
  return error
}

describe('tenant issuers from a template and an allowlist', () => {
  it("verifies a listed tenant's token with that tenant's keys, fetched on its first token", async () => {
    const s = await setup(template(['alpha', 'beta']))
    expect(s.jwks.total).toBe(0)
    await expect(s.verifier.verify(await s.token('alpha'))).resolves.toMatchObject({
      issuer: 'https://login.tenants.test/alpha/v2.0',
    })
    expect(Object.fromEntries(s.jwks.requests)).toEqual({ alpha: 1 })
  })

  it('refuses a tenant not in the allowlist with invalid_issuer and fetches nothing', async () => {
    const s = await setup(template(['alpha']))
    const error = await rejection(s.verifier.verify(await s.token('gamma')))
    expect([error.code, error.status]).toEqual(['invalid_issuer', 401])
    expect(error.headers['WWW-Authenticate']).toBe(expectedChallenge('invalid_issuer'))
    expect(s.jwks.total).toBe(0)
    expect(s.verifier.health().tenants).toEqual({ cached: 0, capacity: 100, evicted: 0 })
  })

  it('compares iss with the template exactly: a prefix, suffix or case change is not a tenant', async () => {
    const s = await setup(template(['alpha']))
    for (const iss of [
      'https://login.tenants.test/alpha/v2.0/',
      'https://login.tenants.test/ALPHA/v2.0',
      'https://login.tenants.test/alpha/x/v2.0',
      'https://login.tenants.test/{tenant}/v2.0',
    ]) {
      const error = await rejection(s.verifier.verify(await s.token('alpha', { iss })))
      expect(error.code).toBe('invalid_issuer')
    }
    expect(s.jwks.total).toBe(0)
  })

  it('creates nothing and fetches nothing for 1,000 invented issuers', async () => {
    const s = await setup(template(['alpha']))
    const alpha = await s.jwks.issuer('alpha')
    for (let i = 0; i < 1000; i++) {
      const iss = `https://login.tenants.test/attacker-${i}/v2.0`
      const error = await rejection(s.verifier.verify(alpha.mint({ iss })))
      expect(error.code).toBe('invalid_issuer')
    }
    expect(s.jwks.total).toBe(0)
    expect(s.verifier.health()).toMatchObject({ issuers: [], tenants: { cached: 0, evicted: 0 } })
  })

  it("never verifies one tenant's token with another tenant's key, even under the same kid", async () => {
    const s = await setup(template(['alpha', 'beta']))
    const alpha = await s.jwks.issuer('alpha')
    const beta = await s.jwks.issuer('beta')
    await beta.addKey({ kid: alpha.signingKey.kid, sign: true })
    await s.verifier.verify(alpha.mint())
    await s.verifier.verify(beta.mint())
    const forged = alpha.mint({ iss: beta.issuer })
    expect((await rejection(s.verifier.verify(forged))).code).toBe('invalid_signature')
  })
})

describe('tenant issuers from a resolver function', () => {
  it('trusts the issuers it answers with options and refuses the others without a fetch', async () => {
    const s = await setup((jwks) => ({
      issuers: (iss: string) =>
        iss === 'https://login.tenants.test/alpha/v2.0'
          ? { audience: AUDIENCE, jwksUri: jwks.jwksUri.replace('{tenant}', 'alpha') }
          : undefined,
    }))
    await expect(s.verifier.verify(await s.token('alpha'))).resolves.toMatchObject({
      issuer: 'https://login.tenants.test/alpha/v2.0',
    })
    expect((await rejection(s.verifier.verify(await s.token('beta')))).code).toBe('invalid_issuer')
    expect(Object.fromEntries(s.jwks.requests)).toEqual({ alpha: 1 })
    expect(s.events.filter((event) => event.type === 'issuer_resolver_failed')).toEqual([])
  })

  it('asks the resolver once per cached issuer, not per token', async () => {
    let asked = 0
    const s = await setup((jwks) => ({
      issuers: () => {
        asked++
        return { audience: AUDIENCE, jwksUri: jwks.jwksUri.replace('{tenant}', 'alpha') }
      },
      verifiedTokenCacheSize: 0,
    }))
    for (let i = 0; i < 3; i++) await s.verifier.verify(await s.token('alpha'))
    expect(asked).toBe(1)
  })

  const garbage: [string, (iss: string) => unknown][] = [
    [
      'throws',
      () => {
        throw new Error('database password is hunter2')
      },
    ],
    ['answers a number', () => 42],
    ['answers true', () => true],
    ['answers a promise', () => Promise.resolve({ audience: AUDIENCE })],
    [
      'answers options for another issuer',
      () => ({
        issuer: 'https://login.tenants.test/beta/v2.0',
        audience: AUDIENCE,
      }),
    ],
    ['answers invalid options', () => ({ audience: 7 })],
    ['answers an unknown option', () => ({ audience: AUDIENCE, audiance: AUDIENCE })],
    [
      'answers options with a throwing getter',
      () => ({
        get audience(): string {
          throw new Error('boom')
        },
      }),
    ],
  ]
  it.each(garbage)(
    'refuses the token with invalid_issuer when the resolver %s, fetches nothing and reports it',
    async (_, resolver) => {
      const s = await setup(() => ({ issuers: resolver as VerifierOptions['issuers'] }))
      const error = await rejection(s.verifier.verify(await s.token('alpha')))
      expect([error.code, error.status, error.expose]).toEqual(['invalid_issuer', 401, true])
      expect(error.headers['WWW-Authenticate']).toBe(expectedChallenge('invalid_issuer'))
      expect(error.cause).toBeUndefined()
      expect(s.jwks.total).toBe(0)
      const failures = s.events.filter((event) => event.type === 'issuer_resolver_failed')
      expect(failures).toEqual([
        {
          type: 'issuer_resolver_failed',
          issuer: 'https://login.tenants.test/alpha/v2.0',
          reason: _ === 'throws' ? 'threw' : 'invalid_answer',
        },
      ])
      expect(JSON.stringify(s.events)).not.toContain('hunter2')
    },
  )
})

describe('the tenant cache', () => {
  it('keeps tenantCacheSize issuers and evicts the least recently used first', async () => {
    const s = await setup(template(['alpha', 'beta', 'gamma'], { tenantCacheSize: 2 }))
    await s.verifier.verify(await s.token('alpha'))
    await s.verifier.verify(await s.token('beta'))
    await s.verifier.verify(await s.token('alpha'))
    await s.verifier.verify(await s.token('gamma'))
    expect(s.events.filter((event) => event.type === 'tenant_issuer_evicted')).toEqual([
      { type: 'tenant_issuer_evicted', issuer: 'https://login.tenants.test/beta/v2.0' },
    ])
    const health = s.verifier.health()
    expect(health.tenants).toEqual({ cached: 2, capacity: 2, evicted: 1 })
    expect(health.issuers.map((entry) => [entry.issuer, entry.tenant])).toEqual([
      ['https://login.tenants.test/alpha/v2.0', true],
      ['https://login.tenants.test/gamma/v2.0', true],
    ])
  })

  it("fetches an evicted tenant's keys again on its next token, and drops its cached verifications", async () => {
    const s = await setup(template(['alpha', 'beta'], { tenantCacheSize: 1 }))
    const token = await s.token('alpha')
    await s.verifier.verify(token)
    await s.verifier.verify(token) // now in the verified-token cache
    await s.verifier.verify(await s.token('beta')) // evicts alpha
    await s.verifier.verify(token)
    expect(Object.fromEntries(s.jwks.requests)).toEqual({ alpha: 2, beta: 1 })
  })

  it("spends the shared refresh budget on each tenant's first fetch: past it, 503 with Retry-After and no fetch", async () => {
    const s = await setup(
      template(['alpha', 'beta', 'gamma'], {
        jwks: { refreshBudget: 2, refreshBudgetWindowMs: 60_000 },
      }),
    )
    await s.verifier.verify(await s.token('alpha'))
    await s.verifier.verify(await s.token('beta'))
    const error = await rejection(s.verifier.verify(await s.token('gamma')))
    expect([error.code, error.status]).toEqual(['jwks_unavailable', 503])
    expect(Number(error.headers['Retry-After'])).toBeGreaterThanOrEqual(29)
    expect(Number(error.headers['Retry-After'])).toBeLessThanOrEqual(30)
    expect(s.jwks.requests.get('gamma')).toBeUndefined()
  })

  it('lists tenant issuers in health() without letting one make the verifier unready', async () => {
    const s = await setup(template(['alpha', 'down']))
    await s.verifier.verify(await s.token('alpha'))
    // The server answers 404 for a tenant it has no issuer for: a misconfiguration, not an outage.
    const down = await rejection(
      s.verifier.verify(
        (await s.jwks.issuer('alpha')).mint({ iss: 'https://login.tenants.test/down/v2.0' }),
      ),
    )
    expect(down.code).toBe('jwks_misconfigured')
    const health = s.verifier.health()
    expect(health.ready).toBe(true)
    expect(health.issuers.map((entry) => [entry.issuer, entry.state, entry.tenant])).toEqual([
      ['https://login.tenants.test/alpha/v2.0', 'fresh', true],
      ['https://login.tenants.test/down/v2.0', 'unavailable', true],
    ])
  })

  it('keeps a tenant with a revocation in force, so eviction cannot lift it', async () => {
    const s = await setup(template(['alpha', 'beta', 'gamma'], { tenantCacheSize: 1 }))
    const alpha = await s.jwks.issuer('alpha')
    // Revoked before alpha's first token: the runtime is created for it, without a fetch.
    s.verifier.revokeKey({ issuer: alpha.issuer, kid: alpha.signingKey.kid })
    expect(s.jwks.total).toBe(0)
    await s.verifier.verify(await s.token('beta'))
    await s.verifier.verify(await s.token('gamma'))
    expect((await rejection(s.verifier.verify(alpha.mint()))).code).toBe('unknown_key')
    expect(s.verifier.health().issuers.map((entry) => entry.issuer)).toContain(alpha.issuer)
  })

  it('refuses an operator call naming an issuer the resolver does not trust', async () => {
    const s = await setup(template(['alpha']))
    expect(() =>
      s.verifier.revokeKey({ issuer: 'https://login.tenants.test/zeta/v2.0', kid: 'k' }),
    ).toThrow(TypeError)
    await expect(s.verifier.refresh('https://login.tenants.test/zeta/v2.0')).rejects.toThrow(
      TypeError,
    )
  })
})
