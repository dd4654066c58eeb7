import { afterEach, describe, expect, it } from 'vitest'
import { expectedChallenge, startJwksServer, TestIssuer } from '@keyward/test-utils'
import { createVerifier, protectedResourceMetadata, requireScopes } from '../src/index.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

describe('protectedResourceMetadata', () => {
  it('builds the RFC 9728 document and the path-inserted metadata URL', () => {
    const metadata = protectedResourceMetadata({
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: ['https://auth.example.com/'],
      scopesSupported: ['tools:read', 'offline_access', 'tools:call'],
      resourceName: 'Example MCP',
    })
    expect(metadata.url).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp')
    expect(metadata.paths).toEqual([
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ])
    expect(JSON.parse(metadata.body)).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://auth.example.com/'],
      scopes_supported: ['tools:read', 'tools:call'],
      bearer_methods_supported: ['header'],
      resource_name: 'Example MCP',
    })
    expect(metadata.headers['content-type']).toBe('application/json')
    expect(metadata.headers['access-control-allow-origin']).toBe('*')
  })

  it('matches GET and HEAD on its paths only, ignoring the query', () => {
    const metadata = protectedResourceMetadata({
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: ['https://auth.example.com/'],
    })
    const served = (method: string, target: string) => metadata.matches(method, target)
    expect([
      served('GET', '/.well-known/oauth-protected-resource/mcp'),
      served('HEAD', '/.well-known/oauth-protected-resource'),
      served('GET', '/.well-known/oauth-protected-resource/mcp?x=1'),
    ]).toEqual([true, true, true])
    expect([
      served('POST', '/.well-known/oauth-protected-resource/mcp'),
      served('GET', '/.well-known/oauth-protected-resource/other'),
      served('GET', '/mcp/.well-known/oauth-protected-resource'),
      served('GET', '/.well-known/oauth-protected-resource/mcp/'),
      served('get', '/.well-known/oauth-protected-resource/mcp'),
    ]).toEqual([false, false, false, false, false])
  })

  it('omits zero-valued fields and serves a root resource at the bare well-known path', () => {
    const metadata = protectedResourceMetadata({
      resource: 'https://api.example.com',
      authorizationServers: ['https://auth.example.com'],
      scopesSupported: ['offline_access'],
      resourceName: '',
    })
    expect(metadata.url).toBe('https://api.example.com/.well-known/oauth-protected-resource')
    expect(metadata.paths).toEqual(['/.well-known/oauth-protected-resource'])
    expect(metadata.document).not.toHaveProperty('scopes_supported')
    expect(metadata.document).not.toHaveProperty('resource_name')
  })

  it('advertises DPoP proof algorithms and the bound-token requirement (RFC 9728 §2)', () => {
    const metadata = protectedResourceMetadata({
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: ['https://auth.example.com/'],
      dpopSigningAlgValuesSupported: ['ES256', 'EdDSA'],
      dpopBoundAccessTokensRequired: false,
    })
    expect(metadata.document).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
      dpop_bound_access_tokens_required: false,
    })
    expect(JSON.parse(metadata.body)).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
    })
  })

  it('refuses unsafe or malformed configuration at construction', () => {
    const base = { authorizationServers: ['https://auth.example.com/'] }
    expect(() =>
      protectedResourceMetadata({ ...base, resource: 'http://mcp.example.com' }),
    ).toThrow(TypeError)
    expect(() =>
      protectedResourceMetadata({ ...base, resource: 'https://mcp.example.com/#frag' }),
    ).toThrow(TypeError)
    expect(() =>
      protectedResourceMetadata({ resource: 'https://mcp.example.com', authorizationServers: [] }),
    ).toThrow(TypeError)
    expect(() =>
      protectedResourceMetadata({
        ...base,
        resource: 'https://mcp.example.com',
        scopesSupported: ['bad"scope'],
      }),
    ).toThrow(TypeError)
  })

  it.each([
    ['a misspelt option', { scopeSupported: ['a'] }, 'scopeSupported'],
    ['an unknown bearer method', { bearerMethodsSupported: ['cookie'] }, 'bearerMethodsSupported'],
    ['a non-string resourceName', { resourceName: 42 }, 'resourceName'],
    [
      'HS256 as a DPoP algorithm',
      { dpopSigningAlgValuesSupported: ['HS256'] },
      'dpopSigningAlgValuesSupported',
    ],
    [
      'none as a DPoP algorithm',
      { dpopSigningAlgValuesSupported: ['none'] },
      'dpopSigningAlgValuesSupported',
    ],
    [
      'an empty DPoP algorithm list',
      { dpopSigningAlgValuesSupported: [] },
      'dpopSigningAlgValuesSupported',
    ],
    [
      'a non-boolean DPoP requirement',
      { dpopBoundAccessTokensRequired: 'yes' },
      'dpopBoundAccessTokensRequired',
    ],
  ])('throws a TypeError naming the option for %s', (_, changes, name) => {
    expect(() =>
      protectedResourceMetadata({
        resource: 'https://mcp.example.com',
        authorizationServers: ['https://auth.example.com/'],
        ...changes,
      } as never),
    ).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(`"${name}"`) }),
    )
  })

  it('puts resource_metadata into every 401 and 403 challenge of a verifier', async () => {
    const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
    // Tokens for the resource the metadata names: the verifier accepts no other audience.
    const issuer = await TestIssuer.create({ audience: 'https://mcp.example.com/mcp' })
    const server = await startJwksServer({ issuer })
    cleanup.push(() => server.close())
    const resourceMetadata = protectedResourceMetadata({
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: [issuer.issuer],
    })
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: server.url,
      resourceMetadata,
    })
    cleanup.push(() => {
      verifier.close()
    })
    const missing = await verifier.authenticate({ headers: {} }).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'missing_token', status: 401 })
    expect((missing as { headers: Record<string, string> }).headers['WWW-Authenticate']).toBe(
      expectedChallenge('missing_token', { resourceMetadata: METADATA_URL }),
    )
    const expired = await verifier.verify(issuer.mint({ exp: 1 })).catch((e: unknown) => e)
    expect((expired as { headers: Record<string, string> }).headers['WWW-Authenticate']).toBe(
      expectedChallenge('token_expired', { resourceMetadata: METADATA_URL }),
    )
    const auth = await verifier.verify(issuer.mint())
    let forbidden: unknown
    try {
      requireScopes(auth, 'tools:call')
    } catch (error) {
      forbidden = error
    }
    expect(forbidden).toMatchObject({ code: 'insufficient_scope', status: 403 })
    expect((forbidden as { headers: Record<string, string> }).headers['WWW-Authenticate']).toBe(
      expectedChallenge('insufficient_scope', {
        scope: 'tools:call',
        resourceMetadata: METADATA_URL,
      }),
    )
  })
})
