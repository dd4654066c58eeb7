import { describe, expect, it } from 'vitest'
import { protectedResourceMetadata } from '../src/protected-resource-metadata.js'
import { createVerifier } from '../src/verifier.js'
import { canonicalResourceUri } from '../src/resource-audience.js'
import { rejectionOf, useFixture } from './helpers.js'

const fx = useFixture()
const RESOURCE = 'https://mcp.example.com/mcp'
const metadata = protectedResourceMetadata({
  resource: RESOURCE,
  authorizationServers: ['https://auth.example.com/'],
})

describe('audience from the protected resource metadata', () => {
  it("defaults the audience to the metadata's resource: its tokens pass, others are invalid_audience", async () => {
    const verifier = fx.verifier({ audience: undefined, resourceMetadata: metadata })
    const auth = await verifier.verify(fx.issuer.mint({ aud: RESOURCE }))
    expect(auth.audience).toEqual([RESOURCE])
    const error = await rejectionOf(
      verifier.verify(fx.issuer.mint({ aud: 'https://other.example/mcp' })),
    )
    expect(error.code).toBe('invalid_audience')
  })

  it('accepts an explicit audience that names the resource canonically (scheme and host case)', async () => {
    const verifier = fx.verifier({
      audience: 'HTTPS://MCP.Example.com:443/mcp',
      resourceMetadata: metadata,
    })
    // Tokens carry the resource as the metadata names it (the client's RFC 8707 `resource`).
    expect((await verifier.verify(fx.issuer.mint({ aud: RESOURCE }))).audience).toEqual([RESOURCE])
  })

  it.each([
    [
      'https://api.example.com',
      /"audience" "https:\/\/api.example.com" disagrees with the "resource"/,
    ],
    ['https://mcp.example.com/mcp/', /disagrees/],
    [[RESOURCE, 'https://other.example'], /"audience" "https:\/\/other.example" disagrees/],
    [null, /"audience": null contradicts "resourceMetadata"/],
  ])('refuses the audience %j beside the metadata at construction', (audience, message) => {
    expect(() => fx.verifier({ audience, resourceMetadata: metadata })).toThrow(TypeError)
    expect(() => fx.verifier({ audience, resourceMetadata: metadata })).toThrow(message)
  })

  it('still requires an audience without resource metadata', () => {
    expect(() => fx.verifier({ audience: undefined })).toThrow(/"audience"/)
  })

  it('checks each entry of "issuers" against the resource', () => {
    const entry = { issuer: fx.issuer.issuer, jwksUri: fx.server.url }
    expect(() =>
      createVerifier({
        issuers: [{ ...entry, audience: 'https://api.example.com' }],
        resourceMetadata: metadata,
      }),
    ).toThrow(/"issuers\[0\].audience" "https:\/\/api.example.com" disagrees/)
  })
})

describe('canonicalResourceUri', () => {
  it.each([
    ['HTTPS://MCP.Example.COM/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/mcp#frag', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com', 'https://mcp.example.com/'],
    ['https://mcp.example.com/mcp/', 'https://mcp.example.com/mcp/'],
    ['not a url', 'not a url'],
  ])('%s → %s', (value, canonical) => {
    expect(canonicalResourceUri(value)).toBe(canonical)
  })
})
