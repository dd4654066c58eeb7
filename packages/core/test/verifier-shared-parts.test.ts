import { describe, expect, it } from 'vitest'
import { requireScopes } from '../src/scope-requirements.js'
import { encodeJson, rejectionOf, segments, useFixture } from './helpers.js'

const fx = useFixture()

describe('parts shared between verifications', () => {
  it('shares one frozen header object between tokens with the same header segment', async () => {
    const verifier = fx.verifier({ verifiedTokenCacheSize: 0 })
    const first = await verifier.verify(fx.issuer.mint({ sub: 'a' }))
    const second = await verifier.verify(fx.issuer.mint({ sub: 'b' }))
    expect(second.header).toBe(first.header)
    expect(Object.isFrozen(first.header)).toBe(true)
    expect(first.header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: fx.issuer.signingKey.kid })
  })

  it('shares frozen scope and audience arrays between tokens with the same strings', async () => {
    const verifier = fx.verifier({ verifiedTokenCacheSize: 0 })
    const first = await verifier.verify(fx.issuer.mint({ scope: 'read write' }))
    const second = await verifier.verify(fx.issuer.mint({ scope: 'read write' }))
    expect(second.scopes).toBe(first.scopes)
    expect(second.audience).toBe(first.audience)
    expect([Object.isFrozen(first.scopes), Object.isFrozen(first.audience)]).toEqual([true, true])
    const other = await verifier.verify(fx.issuer.mint({ scope: 'read' }))
    expect(other.scopes).toEqual(['read'])
  })

  it('still rejects a forged token whose header segment a verified token made familiar', async () => {
    const verifier = fx.verifier({ verifiedTokenCacheSize: 0 })
    const valid = fx.issuer.mint()
    await verifier.verify(valid)
    const [header] = segments(valid)
    const forged = `${header}.${encodeJson({ ...payloadOf(valid), scope: 'admin' })}.${segments(valid)[2]}`
    expect((await rejectionOf(verifier.verify(forged))).code).toBe('invalid_signature')
  })

  it('keeps the verifier’s scope policy out of sight: keys, spread and JSON show claims only', async () => {
    const verifier = fx.verifier({ realm: 'api' })
    const auth = await verifier.verify(fx.issuer.mint({ scope: 'read' }))
    expect(Object.keys(auth)).toEqual([
      'token',
      'header',
      'claims',
      'issuer',
      'subject',
      'clientId',
      'audience',
      'scopes',
      'expiresAt',
      'kid',
      'binding',
    ])
    expect(Object.getOwnPropertySymbols(auth)).toEqual([])
    expect(Object.isFrozen(auth)).toBe(true)
    // The policy still travels with the object itself: the challenge names this verifier's realm.
    const failure = (() => {
      try {
        requireScopes(auth, 'write')
      } catch (error) {
        return error as { challenge?: { realm?: string } }
      }
      return undefined
    })()
    expect(failure?.challenge?.realm).toBe('api')
  })

  it('lets no request change the nested claims or header the next one sees for the same token', async () => {
    const verifier = fx.verifier()
    const token = fx.issuer.mint(
      { realm_access: { roles: ['reader'] }, groups: [['a']] },
      { header: { x5c: ['ignored'] } },
    )
    await verifier.verify(token)
    const first = await verifier.verify(token) // the cached VerifiedToken, shared from now on
    expect(await verifier.verify(token)).toBe(first)
    const { realm_access: realmAccess, groups } = first.claims as {
      realm_access: { roles: string[] }
      groups: string[][]
    }
    // Test files are ES modules, so in strict mode: writing to a frozen object throws.
    expect(() => realmAccess.roles.push('admin')).toThrow(TypeError)
    expect(() => groups[0]!.push('b')).toThrow(TypeError)
    expect(() => {
      realmAccess.roles = ['admin']
    }).toThrow(TypeError)
    expect(() => (first.header.x5c as string[]).push('evil')).toThrow(TypeError)
    const next = await verifier.verify(token)
    expect(next.claims.realm_access).toEqual({ roles: ['reader'] })
    expect(next.claims.groups).toEqual([['a']])
    expect(next.header.x5c).toEqual(['ignored'])
  })

  it('shares no header with a nested member: each token gets its own', async () => {
    const verifier = fx.verifier({ verifiedTokenCacheSize: 0 })
    const options = { header: { x5c: ['ignored'] } }
    const first = await verifier.verify(fx.issuer.mint({ sub: 'a' }, options))
    const second = await verifier.verify(fx.issuer.mint({ sub: 'b' }, options))
    expect(second.header).not.toBe(first.header)
    expect(second.header).toEqual(first.header)
  })

  it('authenticate rejects, never throws, when its options are null', async () => {
    const verifier = fx.verifier()
    const request = { headers: {} }
    let promise: Promise<unknown> | undefined
    expect(() => {
      promise = verifier.authenticate(request, null as unknown as { optional?: boolean })
    }).not.toThrow()
    expect((await rejectionOf(promise!)).code).toBe('missing_token')
  })

  it('turns a synchronous failure into a rejected promise, never a throw', async () => {
    const verifier = fx.verifier()
    let promise: Promise<unknown> | undefined
    expect(() => {
      promise = verifier.verify(42 as unknown as string)
    }).not.toThrow()
    expect((await rejectionOf(promise!)).code).toBe('malformed_token')
  })

  it('answers a bad signature under a known kid without fetching the keys again', async () => {
    const verifier = fx.verifier({ verifiedTokenCacheSize: 0 })
    await verifier.warmup()
    const fetches = fx.server.requests.length
    // One token's signature on another's claims, under the published kid.
    const [header, payload] = segments(fx.issuer.mint({ sub: 'a' }))
    const tampered = `${header}.${payload}.${segments(fx.issuer.mint({ sub: 'b' }))[2]}`
    expect((await rejectionOf(verifier.verify(tampered))).code).toBe('invalid_signature')
    expect(fx.server.requests.length).toBe(fetches)
  })
})

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString()) as Record<
    string,
    unknown
  >
}
