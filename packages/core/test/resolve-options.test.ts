import { createTestCa } from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { protectedResourceMetadata } from '../src/protected-resource-metadata.js'
import { resolveAuthenticateOptions, resolveOptions } from '../src/resolve-options.js'
import { requireScopes } from '../src/scope-requirements.js'
import { createVerifier } from '../src/verifier.js'
import { outcome, startHarness } from './support/jwks-harness.js'

const VALID = {
  issuer: 'https://issuer.test/',
  audience: 'https://api.test',
  jwksUri: 'https://issuer.test/.well-known/jwks.json',
} as const

/** Constructs a verifier from VALID plus `changes` and closes it again. */
function construct(changes: Record<string, unknown>): void {
  createVerifier({ ...VALID, ...changes }).close()
}

/** The error `run` throws; fails the test when it throws nothing. */
function thrown(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a TypeError, nothing was thrown')
}

/** Asserts a TypeError whose message names every one of `names` (quoted, as options are). */
function expectTypeErrorNaming(run: () => unknown, ...names: string[]): void {
  const error = thrown(run)
  expect(error).toBeInstanceOf(TypeError)
  for (const name of names) expect(error.message).toContain(`"${name}"`)
}

const SECOND = { ...VALID, issuer: 'https://second.test/' }

describe('createVerifier configuration', () => {
  it('constructs from the minimal valid options (control for the cases below)', () => {
    expect(() => {
      construct({})
    }).not.toThrow()
  })

  it.each([
    ['a missing issuer', { issuer: undefined }],
    ['an empty issuer', { issuer: '' }],
    ['a non-string issuer', { issuer: new URL('https://issuer.test/') }],
    ['a missing audience', { audience: undefined }],
    ['an empty audience', { audience: '' }],
    ['an empty audience list', { audience: [] }],
    ['an audience list with an empty entry', { audience: ['https://api.test', ''] }],
    ['a numeric audience', { audience: 1 }],
    ['a missing jwksUri with an issuer that is not a URL', { jwksUri: undefined, issuer: 'acme' }],
    [
      'a missing jwksUri with an http: issuer on a public host',
      { jwksUri: undefined, issuer: 'http://issuer.test/' },
    ],
    ['an http: jwksUri on a public host', { jwksUri: 'http://issuer.test/jwks.json' }],
    [
      'an http: jwksUri on a host that only starts like loopback',
      { jwksUri: 'http://127.0.0.1.evil.test/jwks' },
    ],
    ['a jwksUri with credentials', { jwksUri: 'https://user:pass@issuer.test/jwks' }],
    ['a relative jwksUri', { jwksUri: '/jwks.json' }],
    ['a file: jwksUri', { jwksUri: 'file:///etc/jwks.json' }],
    ['HS256 in algorithms', { algorithms: ['RS256', 'HS256'] }],
    ['none in algorithms', { algorithms: ['none'] }],
    ['a lower-case algorithm', { algorithms: ['rs256'] }],
    ['an empty algorithm list', { algorithms: [] }],
    ['a negative clockToleranceMs', { clockToleranceMs: -1 }],
    ['a NaN clockToleranceMs', { clockToleranceMs: Number.NaN }],
    ['an infinite clockToleranceMs', { clockToleranceMs: Number.POSITIVE_INFINITY }],
    ['a clockToleranceMs in words', { clockToleranceMs: '30s' }],
    ['a negative maxTokenAgeMs', { maxTokenAgeMs: -1 }],
    ['a string maxTokenLifetimeMs', { maxTokenLifetimeMs: '1h' }],
    ['a zero maxTokenBytes', { maxTokenBytes: 0 }],
    ['a fractional maxTokenBytes', { maxTokenBytes: 1.5 }],
    ['a zero jwks.timeoutMs', { jwks: { timeoutMs: 0 } }],
    ['a negative jwks.cooldownMs', { jwks: { cooldownMs: -5 } }],
    ['a NaN jwks.maxStaleMs', { jwks: { maxStaleMs: Number.NaN } }],
    ['a cache floor above the ceiling', { jwks: { cacheFloorMs: 10, cacheCeilingMs: 5 } }],
    ['a realm with a quote', { realm: 'a"b' }],
    ['a realm with a backslash', { realm: 'a\\b' }],
    ['a realm with a newline', { realm: 'api\r\nX-Injected: 1' }],
    ['a non-ASCII realm', { realm: 'réalm' }],
    ['a non-string realm', { realm: 1 }],
    ['an http: resourceMetadataUrl on a public host', { resourceMetadataUrl: 'http://api.test/m' }],
    ['a resourceMetadataUrl with a quote', { resourceMetadataUrl: 'https://api.test/"m' }],
    [
      'both resourceMetadata and resourceMetadataUrl',
      {
        resourceMetadata: { url: 'https://api.test/m', document: {} },
        resourceMetadataUrl: 'https://api.test/m',
      },
    ],
    ['a scopeHierarchy that is a string', { scopeHierarchy: 'admin' }],
    ['an unknown profile', { profile: 'rfc7519' }],
    ['an empty typ list', { typ: [] }],
    ['a non-array requiredClaims', { requiredClaims: 'sub' }],
    ['a non-function onEvent', { onEvent: 'log' }],
    ['a non-boolean allowQueryToken', { allowQueryToken: 'yes' }],
    ['a non-function now', { now: 1 }],
    ['both issuer and issuers', { issuers: [VALID] }],
  ])('throws a TypeError at construction for %s', (_, changes) => {
    expect(() => {
      construct(changes)
    }).toThrow(TypeError)
  })

  it('throws a TypeError for an empty issuers list', () => {
    expect(() => createVerifier({ issuers: [] })).toThrow(TypeError)
  })

  it('throws a TypeError for the same issuer listed twice', () => {
    expect(() => createVerifier({ issuers: [VALID, VALID] })).toThrow(TypeError)
  })

  it('accepts a missing jwksUri for an https: issuer, to discover it', () => {
    expect(resolveOptions({ ...VALID, jwksUri: undefined }).issuers[0]?.jwksUri).toBeUndefined()
  })

  it('accepts audience: null as the explicit opt-out', () => {
    expect(resolveOptions({ ...VALID, audience: null }).issuers[0]?.claims.audiences).toBeNull()
  })

  it.each([
    'http://localhost:8080/jwks',
    'http://127.0.0.1:1/jwks',
    'http://127.8.9.10/jwks',
    'http://[::1]:9/jwks',
  ])('accepts the loopback http: jwksUri %s', (jwksUri) => {
    expect(resolveOptions({ ...VALID, jwksUri }).issuers[0]?.jwksUri).toBe(jwksUri)
  })

  it('defaults to a 30 s tolerance, 8 KiB tokens and every asymmetric algorithm', () => {
    const resolved = resolveOptions(VALID)
    const issuer = resolved.issuers[0]!
    expect({
      tolerance: issuer.claims.clockToleranceMs,
      maxTokenBytes: resolved.maxTokenBytes,
      algorithms: [...issuer.header.algorithms],
      typRequired: issuer.header.typRequired,
      query: resolved.allowQueryToken,
      body: resolved.allowBodyToken,
    }).toEqual({
      tolerance: 30_000,
      maxTokenBytes: 8192,
      algorithms: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
      ],
      typRequired: false,
      query: false,
      body: false,
    })
  })

  it("makes profile 'rfc9068' require at+jwt and iss exp aud sub client_id iat jti", () => {
    const issuer = resolveOptions({
      ...VALID,
      profile: 'rfc9068' as const,
      requiredClaims: ['tenant'],
    }).issuers[0]!
    expect({
      typ: [...issuer.header.typ],
      typRequired: issuer.header.typRequired,
      required: [...issuer.claims.requiredClaims].sort(),
    }).toEqual({
      typ: ['at+jwt'],
      typRequired: true,
      required: ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'sub', 'tenant'],
    })
  })
})

describe('unknown options', () => {
  it('throws a TypeError naming an unknown top-level option', () => {
    expectTypeErrorNaming(() => {
      construct({ tenant: 'acme' })
    }, 'tenant')
  })

  it('names the option meant for a misspelling within two edits', () => {
    expectTypeErrorNaming(
      () => {
        construct({ audiance: 'https://api.test' })
      },
      'audiance',
      'audience',
    )
  })

  it('names the option meant for a different letter case', () => {
    expectTypeErrorNaming(
      () => {
        construct({ ClockToleranceMS: 5000 })
      },
      'ClockToleranceMS',
      'clockToleranceMs',
    )
  })

  it('checks a key whose value is undefined by its name all the same', () => {
    expectTypeErrorNaming(
      () => {
        construct({ requiredClaim: undefined })
      },
      'requiredClaim',
      'requiredClaims',
    )
  })

  it('throws a TypeError naming an unknown jwks option, with the option meant', () => {
    expectTypeErrorNaming(
      () => {
        construct({ jwks: { timeout: 1000 } })
      },
      'jwks.timeout',
      'jwks.timeoutMs',
    )
  })

  it('throws a TypeError naming an unknown option of an issuers entry, with its index', () => {
    expectTypeErrorNaming(
      () => resolveOptions({ issuers: [VALID, { ...SECOND, algorithm: ['ES256'] }] }),
      'issuers[1].algorithm',
      'issuers[1].algorithms',
    )
  })

  it('says where a jwks option given at the top level belongs', () => {
    expectTypeErrorNaming(
      () => {
        construct({ cacheMaxAgeMs: 5000 })
      },
      'cacheMaxAgeMs',
      'jwks',
    )
  })

  it('says that a verifier-wide option given in an issuers entry belongs at the top level', () => {
    expectTypeErrorNaming(
      () => resolveOptions({ issuers: [{ ...VALID, clockToleranceMs: 0 }] }),
      'issuers[0].clockToleranceMs',
      'issuers',
    )
  })

  it('says that an adapter option passed to createVerifier is the second argument of bearerAuth', () => {
    const error = thrown(() => {
      construct({ optional: true })
    })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain('"optional"')
    expect(error.message).toContain('bearerAuth')
  })

  it('says that a NestJS module option returned by a forRootAsync factory belongs beside it', () => {
    const error = thrown(() => {
      construct({ isGlobal: true })
    })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain('"isGlobal"')
    expect(error.message).toContain('forRootAsync')
  })

  it('does not read options inherited from the prototype', () => {
    const options = Object.assign(Object.create({ allowQueryToken: true }) as object, VALID)
    expect(resolveOptions(options).allowQueryToken).toBe(false)
  })
})

describe('issuers with per-issuer options at the top level', () => {
  it.each([
    ['audience', 'https://api.test'],
    ['jwksUri', 'https://issuer.test/jwks'],
    ['algorithms', ['ES256']],
    ['typ', 'at+jwt'],
    ['profile', 'rfc9068'],
    ['requiredClaims', ['sub']],
    ['fetchHeaders', { 'x-api-key': 'k' }],
    ['jwksOrigins', ['https://keys.test']],
  ])('throws a TypeError saying %s belongs in each issuers entry', (key, value) => {
    expectTypeErrorNaming(() => createVerifier({ issuers: [VALID], [key]: value }), key, 'issuers')
  })

  it('accepts a per-issuer key whose value is undefined next to issuers', () => {
    expect(
      resolveOptions({ issuers: [VALID, SECOND], audience: undefined }).issuers.map(
        (issuer) => issuer.issuer,
      ),
    ).toEqual([VALID.issuer, SECOND.issuer])
  })
})

describe("typ with profile: 'rfc9068'", () => {
  it('throws a TypeError naming typ when a typ value is not at+jwt', () => {
    expectTypeErrorNaming(
      () => {
        construct({ profile: 'rfc9068', typ: ['at+jwt', 'JWT'] })
      },
      'typ',
      'profile',
    )
  })

  it('accepts typ values that all normalise to at+jwt', () => {
    const issuer = resolveOptions({
      ...VALID,
      profile: 'rfc9068',
      typ: ['application/AT+JWT', 'at+jwt'],
    }).issuers[0]!
    expect([...issuer.header.typ]).toEqual(['at+jwt'])
  })

  it('throws a TypeError naming audience when it is null', () => {
    expectTypeErrorNaming(
      () => {
        construct({ profile: 'rfc9068', audience: null })
      },
      'audience',
      'profile',
    )
  })
})

describe('key cache bounds', () => {
  /** The resolved freshness bounds for `jwks`. */
  function bounds(jwks: Record<string, number>): number[] {
    const resolved = resolveOptions({ ...VALID, jwks }).jwks
    return [resolved.cacheFloorMs, resolved.cacheMaxAgeMs, resolved.cacheCeilingMs]
  }

  it('lowers the default floor to a shorter cacheMaxAgeMs', () => {
    expect(bounds({ cacheMaxAgeMs: 5000 })).toEqual([5000, 5000, 3_600_000])
  })

  it('raises the default ceiling to a longer cacheMaxAgeMs', () => {
    expect(bounds({ cacheMaxAgeMs: 7_200_000 })).toEqual([60_000, 7_200_000, 7_200_000])
  })

  it('moves the default cacheMaxAgeMs inside a given floor or ceiling', () => {
    expect([bounds({ cacheFloorMs: 900_000 }), bounds({ cacheCeilingMs: 30_000 })]).toEqual([
      [900_000, 900_000, 3_600_000],
      [30_000, 30_000, 30_000],
    ])
  })

  it('throws a TypeError naming both when a given floor is above a given cacheMaxAgeMs', () => {
    expectTypeErrorNaming(
      () => {
        construct({ jwks: { cacheMaxAgeMs: 5000, cacheFloorMs: 60_000 } })
      },
      'jwks.cacheFloorMs',
      'jwks.cacheMaxAgeMs',
    )
  })

  it('throws a TypeError naming both when a given ceiling is below a given cacheMaxAgeMs', () => {
    expectTypeErrorNaming(
      () => {
        construct({ jwks: { cacheMaxAgeMs: 600_000, cacheCeilingMs: 300_000 } })
      },
      'jwks.cacheMaxAgeMs',
      'jwks.cacheCeilingMs',
    )
  })

  it('refetches keys 5 s after the last fetch with cacheMaxAgeMs: 5000', async () => {
    const harness = await startHarness({ jwks: { cacheMaxAgeMs: 5000 } })
    try {
      // `no-store` is clamped to the floor, which follows cacheMaxAgeMs down.
      harness.server.setHeaders({ 'cache-control': 'no-store' })
      await harness.verifier.warmup()
      const start = harness.clock.now
      const token = harness.token(600)
      harness.clock.set(start + 5000)
      expect(await outcome(harness.verifier, token)).toBe('ok')
      await harness.settle()
      expect(harness.server.jwksRequests).toBe(2)
      expect(harness.of('jwks_fetch_success').map((event) => event.freshForMs)).toEqual([
        5000, 5000,
      ])
    } finally {
      await harness.close()
    }
  })
})

describe('retry delays', () => {
  it('lowers the default first retry delay to a shorter retryMaxDelayMs', () => {
    const { jwks } = resolveOptions({ ...VALID, jwks: { retryMaxDelayMs: 500 } })
    expect([jwks.retryInitialDelayMs, jwks.retryMaxDelayMs]).toEqual([500, 500])
  })

  it('throws a TypeError naming both when the first delay is above the largest', () => {
    expectTypeErrorNaming(
      () => {
        construct({ jwks: { retryInitialDelayMs: 2000, retryMaxDelayMs: 1000 } })
      },
      'jwks.retryInitialDelayMs',
      'jwks.retryMaxDelayMs',
    )
  })
})

describe('options that used to be accepted and ignored', () => {
  it.each([
    ['jwks: null', { jwks: null }, 'jwks'],
    ['fetchHeaders: null', { fetchHeaders: null }, 'fetchHeaders'],
    ['a non-string header value', { fetchHeaders: { 'x-api-key': 1 } }, 'fetchHeaders'],
    ['an invalid header name', { fetchHeaders: { 'bad header': 'x' } }, 'fetchHeaders'],
    ['a resourceMetadata without url', { resourceMetadata: { resource: 'x' } }, 'resourceMetadata'],
    ['a Map as scopeHierarchy', { scopeHierarchy: new Map([['a', ['b']]]) }, 'scopeHierarchy'],
    ['a scope string in scopeHierarchy', { scopeHierarchy: { a: 'b' } }, 'scopeHierarchy.a'],
    ['an invalid implied scope', { scopeHierarchy: { a: ['b"c'] } }, 'scopeHierarchy.a'],
    ['an invalid scope as key', { scopeHierarchy: { 'a b': ['c'] } }, 'scopeHierarchy'],
    ['an empty required claim name', { requiredClaims: [''] }, 'requiredClaims'],
  ])('throws a TypeError for %s', (_, changes, name) => {
    expectTypeErrorNaming(() => {
      construct(changes)
    }, name)
  })

  it('accepts the result of protectedResourceMetadata as resourceMetadata', () => {
    const resourceMetadata = protectedResourceMetadata({
      resource: 'https://api.test/mcp',
      authorizationServers: [VALID.issuer],
    })
    expect(
      resolveOptions({ ...VALID, audience: undefined, resourceMetadata }).resourceMetadataUrl,
    ).toBe(resourceMetadata.url)
  })
})

describe('scopeHierarchy', () => {
  it('is copied at construction: a later change to the object grants nothing', async () => {
    const scopeHierarchy: Record<string, string[]> = { guest: [] }
    const harness = await startHarness({ settings: { scopeHierarchy } })
    try {
      scopeHierarchy.guest = ['admin']
      const auth = await harness.verifier.verify(harness.issuer.mint({ scope: 'guest' }))
      expect(
        thrown(() => {
          requireScopes(auth, 'admin')
        }),
      ).toMatchObject({ code: 'insufficient_scope' })
    } finally {
      await harness.close()
    }
  })

  it('throws a TypeError naming scopeHierarchy when its function returns a string', async () => {
    const harness = await startHarness({
      settings: { scopeHierarchy: () => 'admin' as unknown as string[] },
    })
    try {
      const auth = await harness.verifier.verify(harness.issuer.mint({ scope: 'guest' }))
      expectTypeErrorNaming(() => {
        requireScopes(auth, 'admin')
      }, 'scopeHierarchy')
    } finally {
      await harness.close()
    }
  })
})

describe('resolveAuthenticateOptions', () => {
  it('defaults optional to false, with or without an options object', () => {
    expect([
      resolveAuthenticateOptions(undefined, 'bearerAuth'),
      resolveAuthenticateOptions({}, 'bearerAuth'),
    ]).toEqual([{ optional: false }, { optional: false }])
  })

  it('throws a TypeError naming a misspelt option and the option meant', () => {
    expectTypeErrorNaming(
      () => resolveAuthenticateOptions({ optinal: true }, 'bearerAuth'),
      'optinal',
      'optional',
    )
  })

  it('throws a TypeError naming optional when it is not a boolean', () => {
    expectTypeErrorNaming(
      () => resolveAuthenticateOptions({ optional: 'yes' }, 'bearerAuth'),
      'optional',
    )
  })

  it('says that a verifier option belongs in the first argument of the caller', () => {
    const error = thrown(() => resolveAuthenticateOptions({ audience: 'x' }, 'bearerAuth'))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain('"audience"')
    expect(error.message).toContain('bearerAuth')
  })

  it('throws a TypeError for options that are not an object', () => {
    expect(() => resolveAuthenticateOptions(null, 'bearerAuth')).toThrow(TypeError)
  })

  it('reads challengeScopes once, without duplicates', () => {
    expect(
      resolveAuthenticateOptions({ challengeScopes: ['a', 'b', 'a'] }, 'bearerAuth')
        .challengeScopes,
    ).toEqual(['a', 'b'])
  })

  it.each([
    ['a string', 'notes:read'],
    ['a scope with a space', ['notes read']],
    ['a scope with a quote', ['no"te']],
    ['offline_access', ['notes:read', 'offline_access']],
  ])('throws a TypeError naming challengeScopes for %s', (_, challengeScopes) => {
    expectTypeErrorNaming(
      () => resolveAuthenticateOptions({ challengeScopes }, 'bearerAuth'),
      'challengeScopes',
    )
  })
})

describe('challengeScopes (verifier-wide scope of 401 challenges)', () => {
  const base = {
    issuer: 'https://issuer.test/',
    audience: 'api',
    jwksUri: 'https://issuer.test/jwks',
  }

  it('is read as a frozen list of scope-tokens', () => {
    const { challengeScopes } = resolveOptions({ ...base, challengeScopes: ['notes:read'] })
    expect(challengeScopes).toEqual(['notes:read'])
    expect(Object.isFrozen(challengeScopes)).toBe(true)
  })

  it.each([
    ['not an array', 'notes:read'],
    ['an empty scope', ['']],
    ['offline_access, which a resource never asks for', ['offline_access']],
  ])('throws a TypeError naming challengeScopes when it is %s', (_, challengeScopes) => {
    expectTypeErrorNaming(() => resolveOptions({ ...base, challengeScopes }), 'challengeScopes')
  })
})

describe('trustedKeys and admitKey options', () => {
  const base = {
    issuer: 'https://issuer.test/',
    audience: 'api',
    jwksUri: 'https://issuer.test/jwks',
  }
  const thumbprint = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

  it.each([
    ['a non-array', 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'],
    ['an empty list', []],
    ['a kid instead of a thumbprint', ['key-1']],
    ['a hex SHA-256', ['37364bb1787cb8309c77ee8c3705c5e16ffb9e8597159017e8a2a9c8c8d3b0a1']],
    ['a padded thumbprint', [`${thumbprint}=`]],
  ])('refuses %s as trustedKeys with a TypeError naming it', (_, trustedKeys) => {
    expect(() => resolveOptions({ ...base, trustedKeys })).toThrow(TypeError)
    expect(() => resolveOptions({ ...base, trustedKeys })).toThrow(/"trustedKeys"/)
  })

  it('names the issuers entry of a bad thumbprint', () => {
    expect(() =>
      resolveOptions({
        issuers: [base, { ...base, issuer: 'https://b.test/', trustedKeys: ['x'] }],
      }),
    ).toThrow(/"issuers\[1\]\.trustedKeys"/)
  })

  it('refuses trustedKeys and admitKey at the top level next to issuers', () => {
    expect(() => resolveOptions({ issuers: [base], trustedKeys: [thumbprint] })).toThrow(
      /"trustedKeys" is a per-issuer option/,
    )
    expect(() => resolveOptions({ issuers: [base], admitKey: () => true })).toThrow(
      /"admitKey" is a per-issuer option/,
    )
  })

  it('refuses an admitKey that is not a function', () => {
    expect(() => resolveOptions({ ...base, admitKey: true })).toThrow(
      /"admitKey" must be a function/,
    )
  })

  it.each([0, -1, 1.5, Number.NaN])('refuses jwks.admitKeyTimeoutMs of %s', (admitKeyTimeoutMs) => {
    expect(() => resolveOptions({ ...base, jwks: { admitKeyTimeoutMs } })).toThrow(
      /"jwks\.admitKeyTimeoutMs"/,
    )
  })

  it.each(['maxKeyAgeMs', 'minKeyNoticeMs'])('refuses a negative jwks.%s', (name) => {
    expect(() => resolveOptions({ ...base, jwks: { [name]: -1 } })).toThrow(
      new RegExp(`"jwks\\.${name}"`),
    )
  })

  it('says where a misplaced hygiene option goes', () => {
    expect(() => resolveOptions({ ...base, maxKeyAgeMs: 1 })).toThrow(/put it in "jwks"/)
    expect(() => resolveOptions({ ...base, jwks: { trustedKeys: [thumbprint] } })).toThrow(
      /"trustedKeys" is not a key-fetching option/,
    )
  })
})

describe('tenant issuers (an issuers resolver)', () => {
  const TEMPLATE = {
    issuer: 'https://login.example.com/{tenant}/v2.0',
    tenants: ['contoso', 'fabrikam'],
    audience: 'api://my-api',
  }

  it('accepts a template with tenants and a function, with tenantCacheSize (controls)', () => {
    expect(resolveOptions({ issuers: TEMPLATE }).tenants?.cacheSize).toBe(100)
    expect(
      resolveOptions({ issuers: () => undefined, tenantCacheSize: 5 }).tenants?.cacheSize,
    ).toBe(5)
    expect(
      resolveOptions({
        issuers: { ...TEMPLATE, jwksUri: 'https://login.example.com/{tenant}/keys' },
      }).tenants?.resolve('https://login.example.com/contoso/v2.0'),
    ).toMatchObject({
      trusted: true,
      config: { jwksUri: 'https://login.example.com/contoso/keys' },
    })
  })

  it.each([
    [
      'an issuer without the placeholder',
      { issuer: 'https://login.example.com/v2.0' },
      'issuers.issuer',
    ],
    [
      'an issuer with the placeholder twice',
      { issuer: 'https://x.test/{tenant}/{tenant}' },
      'issuers.issuer',
    ],
    [
      'a jwksUri with the placeholder twice',
      { jwksUri: 'https://x.test/{tenant}/{tenant}' },
      'issuers.jwksUri',
    ],
    ['an empty tenants list', { tenants: [] }, 'issuers.tenants'],
    ['tenants that are not a list', { tenants: 'contoso' }, 'issuers.tenants'],
    ['a tenant with a slash', { tenants: ['a/b'] }, 'issuers.tenants[0]'],
    ['a tenant "..", a path traversal', { tenants: ['ok', '..'] }, 'issuers.tenants[1]'],
    ['a tenant with a query character', { tenants: ['a?b'] }, 'issuers.tenants[0]'],
    ['an empty tenant', { tenants: [''] }, 'issuers.tenants[0]'],
    ['a tenant listed twice', { tenants: ['a', 'a'] }, 'issuers.tenants'],
    ['a missing audience', { audience: undefined }, 'issuers.audience'],
    ['a misspelt option', { audiance: 'x' }, 'issuers.audiance'],
    ['a verifier-wide option in the template', { clockToleranceMs: 0 }, 'issuers.clockToleranceMs'],
    [
      'an http: issuer on a public host without jwksUri',
      { issuer: 'http://login.example.com/{tenant}' },
      'issuers.issuer',
    ],
  ])('throws a TypeError naming the option for %s', (_, change, name) => {
    expectTypeErrorNaming(
      () => createVerifier({ issuers: { ...TEMPLATE, ...change } } as never),
      name,
    )
  })

  it('throws a TypeError for tenantCacheSize without a resolver, or not a positive integer', () => {
    expectTypeErrorNaming(
      () => createVerifier({ ...VALID, tenantCacheSize: 10 }),
      'tenantCacheSize',
    )
    expectTypeErrorNaming(
      () => createVerifier({ issuers: TEMPLATE, tenantCacheSize: 0 }),
      'tenantCacheSize',
    )
    expectTypeErrorNaming(
      () => createVerifier({ issuers: TEMPLATE, tenantCacheSize: 1.5 }),
      'tenantCacheSize',
    )
  })

  it('throws a TypeError for per-issuer options beside a resolver', () => {
    expectTypeErrorNaming(
      () => createVerifier({ issuers: () => undefined, audience: 'x' } as never),
      'audience',
      'issuers',
    )
    expectTypeErrorNaming(
      () => createVerifier({ issuers: TEMPLATE, issuer: 'https://a.test/' } as never),
      'issuer',
      'issuers',
    )
  })

  it('says where "tenants" goes when it is given at the top level', () => {
    expectTypeErrorNaming(
      () => createVerifier({ ...VALID, tenants: ['a'] } as never),
      'tenants',
      'issuers',
    )
  })

  it('says what issuers may be when it is neither a list nor a resolver', () => {
    expectTypeErrorNaming(() => createVerifier({ issuers: { ...VALID } } as never), 'issuers')
  })
})

describe('dpop options', () => {
  const BASE = { publicBaseUrl: 'https://api.test' }

  it('is off without dpop, allowed once configured, and each issuer may override it', () => {
    expect(resolveOptions(VALID).issuers[0]?.dpopMode).toBe('off')
    expect(resolveOptions({ ...VALID, dpop: BASE }).issuers[0]?.dpopMode).toBe('allowed')
    const resolved = resolveOptions({
      dpop: { ...BASE, mode: 'required' },
      issuers: [
        { ...VALID, dpopMode: 'off' },
        { ...VALID, issuer: 'https://b.test/' },
      ],
    })
    expect(resolved.issuers.map((entry) => entry.dpopMode)).toEqual(['off', 'required'])
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown mode', { dpop: { ...BASE, mode: 'on' } }, 'dpop.mode'],
    ['no public base URL', { dpop: {} }, 'dpop.publicBaseUrl'],
    ['a per-issuer mode without a base URL', { dpopMode: 'allowed' }, 'dpop.publicBaseUrl'],
    [
      'a base URL with a query',
      { dpop: { publicBaseUrl: 'https://api.test/?a' } },
      'dpop.publicBaseUrl',
    ],
    ['a relative base URL', { dpop: { publicBaseUrl: '/api' } }, 'dpop.publicBaseUrl'],
    ['a base URL and trustProxy', { dpop: { ...BASE, trustProxy: true } }, 'dpop.trustProxy'],
    [
      'HS256 among the proof algorithms',
      { dpop: { ...BASE, algorithms: ['HS256'] } },
      'dpop.algorithms',
    ],
    ['no proof algorithms', { dpop: { ...BASE, algorithms: [] } }, 'dpop.algorithms'],
    ['a zero proof age', { dpop: { ...BASE, maxProofAgeMs: 0 } }, 'dpop.maxProofAgeMs'],
    ['a misspelt option', { dpop: { ...BASE, maxProofAge: 1 } }, 'dpop.maxProofAge'],
    [
      'a short nonce secret',
      { dpop: { ...BASE, nonce: { secret: 'short' } } },
      'dpop.nonce.secret',
    ],
    ['a nonce that is a string', { dpop: { ...BASE, nonce: 'yes' } }, 'dpop.nonce'],
    ['a replay store without claim', { replayStore: {} }, 'replayStore'],
    ['singleUseTokens that is not a boolean', { singleUseTokens: 'yes' }, 'singleUseTokens'],
  ])('refuses %s with a TypeError naming it', (_name, changes, option) => {
    expectTypeErrorNaming(() => {
      construct(changes)
    }, option)
  })

  it('accepts trustProxy instead of a base URL, and nonce settings', () => {
    expect(() => {
      construct({ dpop: { trustProxy: true, nonce: { secret: 'x'.repeat(32), windowMs: 1000 } } })
    }).not.toThrow()
  })
})

describe('outbound network options (jwks.proxy, jwks.extraCaCerts)', () => {
  const PEM = createTestCa().cert

  it('accepts each form (controls)', () => {
    for (const jwks of [
      { proxy: 'env' },
      { proxy: { url: 'http://proxy.test:3128' } },
      { proxy: { url: 'https://user:pass@proxy.test', noProxy: 'a.test, b.test' } },
      { proxy: { url: 'http://proxy.test', noProxy: ['a.test'] } },
      { extraCaCerts: PEM },
      { extraCaCerts: [Buffer.from(PEM), PEM + PEM] },
    ]) {
      expect(() => {
        construct({ jwks })
      }).not.toThrow()
    }
  })

  it('leaves the default fetch in place when neither is set', () => {
    expect(resolveOptions(VALID).jwks.closeFetch).toBeUndefined()
  })

  it.each([
    ['a proxy mode other than env', { proxy: 'environment' }, 'jwks.proxy'],
    ['a proxy URL that is not a URL', { proxy: { url: 'proxy.test:3128' } }, 'jwks.proxy.url'],
    ['a proxy URL of another scheme', { proxy: { url: 'socks5://proxy.test' } }, 'jwks.proxy.url'],
    [
      'a misspelt proxy option',
      { proxy: { url: 'http://p.test', noproxy: 'x' } },
      'jwks.proxy.noproxy',
    ],
    [
      'a noProxy that is not hosts',
      { proxy: { url: 'http://p.test', noProxy: 5 } },
      'jwks.proxy.noProxy',
    ],
    ['extraCaCerts that are not PEM', { extraCaCerts: 'hello' }, 'jwks.extraCaCerts'],
    [
      'a truncated certificate',
      {
        extraCaCerts: PEM.split('\n')
          .filter((_, line) => line !== 2)
          .join('\n'),
      },
      'jwks.extraCaCerts',
    ],
    ['an empty list of CAs', { extraCaCerts: [] }, 'jwks.extraCaCerts'],
    ['fetch with proxy', { fetch: globalThis.fetch, proxy: 'env' }, 'jwks.fetch', 'jwks.proxy'],
    [
      'fetch with extraCaCerts',
      { fetch: globalThis.fetch, extraCaCerts: PEM },
      'jwks.fetch',
      'jwks.extraCaCerts',
    ],
  ] as [string, Record<string, unknown>, ...string[]][])(
    'throws a TypeError naming the option for %s',
    (_, jwks, ...names) => {
      expectTypeErrorNaming(
        () => {
          construct({ jwks })
        },
        ...names,
      )
    },
  )
})

// Issue 21, problems 1 and 6: a built URL that is not a URL, and an http issuer in docker-compose.
describe('URLs that are not URLs, and plain http in development', () => {
  it.each([
    ['jwksUri', { jwksUri: 'http://127.0.0.1:4000.well-known/jwks.json' }],
    ['jwksUri', { jwksUri: '/jwks.json' }],
    ['issuer', { jwksUri: undefined, issuer: 'acme' }],
  ])('says "%s" is not a URL when it is not one, instead of asking for https', (name, changes) => {
    const error = thrown(() => {
      construct(changes)
    })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain(`"${name}" is not a URL`)
    expect(error.message).not.toContain('https')
  })

  it('names dangerouslyAllowInsecureHttp when an issuer is http: on a host that is not loopback', () => {
    const error = thrown(() => {
      construct({ issuer: 'http://keycloak:8080/realms/dev', jwksUri: undefined, logger: false })
    })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain('"issuer"')
    expect(error.message).toContain('"dangerouslyAllowInsecureHttp: true"')
  })

  it('accepts an http: issuer and jwksUri on any host with dangerouslyAllowInsecureHttp', () => {
    const resolved = resolveOptions({
      issuers: [
        { issuer: 'http://keycloak:8080/realms/dev', audience: 'api' },
        { issuer: 'other', audience: 'api', jwksUri: 'http://keys:9000/jwks' },
      ],
      dangerouslyAllowInsecureHttp: true,
    })
    expect(resolved.issuers.map((issuer) => issuer.jwksUri)).toEqual([
      undefined,
      'http://keys:9000/jwks',
    ])
  })

  it('refuses dangerouslyAllowInsecureHttp: true when NODE_ENV is production, unless forced', () => {
    const before = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      const options = { issuer: 'http://keycloak:8080/realms/dev', audience: 'api' }
      expectTypeErrorNaming(() => {
        resolveOptions({ ...options, dangerouslyAllowInsecureHttp: true })
      }, 'dangerouslyAllowInsecureHttp')
      expect(
        resolveOptions({ ...options, dangerouslyAllowInsecureHttp: 'even-in-production' })
          .dangerouslyAllowInsecureHttp,
      ).toBe('even-in-production')
    } finally {
      process.env.NODE_ENV = before
    }
  })

  it.each([['yes'], [1], [null]])('refuses dangerouslyAllowInsecureHttp: %j', (value) => {
    expectTypeErrorNaming(() => {
      construct({ dangerouslyAllowInsecureHttp: value })
    }, 'dangerouslyAllowInsecureHttp')
  })

  it.each([[{}], [console.warn], ['console'], [true], [null]])('refuses logger: %j', (value) => {
    expectTypeErrorNaming(() => {
      construct({ logger: value })
    }, 'logger')
  })

  it('takes console as the logger by default, and false as silence', () => {
    expect(resolveOptions(VALID).logger).toBe(console)
    expect(resolveOptions({ ...VALID, logger: false }).logger).toBe(false)
  })
})
