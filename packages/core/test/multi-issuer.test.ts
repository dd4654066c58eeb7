import { afterEach, describe, expect, it } from 'vitest'
import { expectedChallenge, startJwksServer, TestIssuer } from '@keyward/test-utils'
import { createVerifier, type Verifier } from '../src/index.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function twoIssuers() {
  const a = await TestIssuer.create({ issuer: 'https://a.example/', audience: 'https://api.a' })
  const b = await TestIssuer.create({
    issuer: 'https://b.example/',
    audience: 'https://api.b',
    alg: 'ES256',
  })
  const serverA = await startJwksServer({ issuer: a })
  const serverB = await startJwksServer({ issuer: b })
  cleanup.push(
    () => serverA.close(),
    () => serverB.close(),
  )
  const verifier: Verifier = createVerifier({
    issuers: [
      { issuer: a.issuer, audience: a.audience, jwksUri: serverA.url },
      { issuer: b.issuer, audience: b.audience, jwksUri: serverB.url, algorithms: ['ES256'] },
    ],
  })
  cleanup.push(() => {
    verifier.close()
  })
  return { a, b, serverA, serverB, verifier }
}

describe('multiple issuers', () => {
  it("verifies each issuer's tokens with that issuer's keys and policy", async () => {
    const { a, b, verifier, serverA, serverB } = await twoIssuers()
    await expect(verifier.verify(a.mint())).resolves.toMatchObject({ issuer: a.issuer })
    await expect(verifier.verify(b.mint())).resolves.toMatchObject({ issuer: b.issuer })
    expect([serverA.jwksRequests, serverB.jwksRequests]).toEqual([1, 1])
  })

  it('rejects an unknown issuer without any fetch', async () => {
    const { a, verifier, serverA, serverB } = await twoIssuers()
    const error = await verifier
      .verify(a.mint({ iss: 'https://c.example/' }))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'invalid_issuer', status: 401 })
    expect((error as { headers: Record<string, string> }).headers['WWW-Authenticate']).toBe(
      expectedChallenge('invalid_issuer'),
    )
    expect(serverA.jwksRequests + serverB.jwksRequests).toBe(0)
  })

  it("never verifies issuer B's token with issuer A's key, even under the same kid", async () => {
    const { a, b, verifier, serverB } = await twoIssuers()
    const aKey = a.signingKey
    // B publishes a key under A's kid; a token claiming B but signed by A's key must fail.
    await b.addKey({ alg: 'RS256', kid: aKey.kid })
    await verifier.verify(a.mint()) // A's keys are cached now
    const forged = a.mint({ iss: b.issuer, aud: b.audience }, { key: aKey })
    const error = await verifier.verify(forged).catch((e: unknown) => e)
    // B allows ES256 only, so the RS256 token fails before any key lookup.
    expect(error).toMatchObject({ code: 'algorithm_not_allowed' })
    expect(serverB.jwksRequests).toBe(0)
  })

  it("rejects a same-kid, same-alg token for issuer B signed with A's key", async () => {
    const a = await TestIssuer.create({ issuer: 'https://a.example/' })
    const b = await TestIssuer.create({ issuer: 'https://b.example/' })
    await b.addKey({ kid: a.signingKey.kid, sign: true })
    b.unpublish(b.keys[0]!)
    const serverA = await startJwksServer({ issuer: a })
    const serverB = await startJwksServer({ issuer: b })
    cleanup.push(
      () => serverA.close(),
      () => serverB.close(),
    )
    const verifier = createVerifier({
      issuers: [
        { issuer: a.issuer, audience: a.audience, jwksUri: serverA.url },
        { issuer: b.issuer, audience: b.audience, jwksUri: serverB.url },
      ],
    })
    cleanup.push(() => {
      verifier.close()
    })
    await verifier.verify(a.mint())
    await verifier.verify(b.mint())
    const forged = a.mint({ iss: b.issuer }, { key: a.signingKey })
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'invalid_signature' })
  })

  it('shares one unknown-kid refresh budget across issuers', async () => {
    const { a, b, serverA, serverB } = await twoIssuers()
    const verifier = createVerifier({
      issuers: [
        { issuer: a.issuer, audience: a.audience, jwksUri: serverA.url },
        { issuer: b.issuer, audience: b.audience, jwksUri: serverB.url },
      ],
      jwks: { refreshBudget: 1, cooldownMs: 0 },
    })
    cleanup.push(() => {
      verifier.close()
    })
    await verifier.warmup()
    const before = serverA.jwksRequests + serverB.jwksRequests
    await verifier.verify(a.mint({}, { kid: 'unknown-1' })).catch(() => undefined)
    await verifier.verify(b.mint({}, { kid: 'unknown-2' })).catch(() => undefined)
    await verifier.verify(a.mint({}, { kid: 'unknown-3' })).catch(() => undefined)
    expect(serverA.jwksRequests + serverB.jwksRequests - before).toBe(1)
  })

  it('rejects two entries for the same issuer at construction', () => {
    expect(() =>
      createVerifier({
        issuers: [
          { issuer: 'https://a.example/', audience: 'x', jwksUri: 'https://a.example/jwks' },
          { issuer: 'https://a.example/', audience: 'y', jwksUri: 'https://a.example/jwks' },
        ],
      }),
    ).toThrow(TypeError)
  })
})
