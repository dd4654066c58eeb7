import { createVerifier, isKeywardError } from '@keyward/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  requestToken,
  startDevIssuer,
  TokenRequestError,
  type DevIssuer,
  type KeyRingChange,
  type TokenResponse,
} from '../src/index.js'

const EXPRESS = 'urn:keyward:demo:express-api'
const KOA = 'urn:keyward:demo:koa-api'

let issuer: DevIssuer

beforeEach(async () => {
  // Long enough to observe each phase on a loaded machine; the tests wait on events, not clocks.
  issuer = await startDevIssuer({ rotation: { leadMs: 1000, retireAfterMs: 1000 } })
})
afterEach(async () => {
  await issuer.close()
})

function token(clientId: string, resource: string, scope?: string): Promise<TokenResponse> {
  const client = issuer.clients.find((c) => c.clientId === clientId)!
  return requestToken({
    tokenEndpoint: issuer.tokenEndpoint,
    clientId,
    clientSecret: client.clientSecret,
    resource,
    ...(scope === undefined ? {} : { scope }),
  })
}

function decode(jwt: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const [header, payload] = jwt
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()))
  return { header, payload }
}

async function publishedKids(): Promise<string[]> {
  const response = await fetch(issuer.jwksUri)
  const { keys } = (await response.json()) as { keys: { kid: string; d?: string }[] }
  expect(keys.every((key) => key.d === undefined)).toBe(true)
  return keys.map((key) => key.kid)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function nextChange(type: KeyRingChange['type']): Promise<KeyRingChange> {
  return new Promise((resolve) => {
    const stop = issuer.keyRing.onChange((change) => {
      if (change.type !== type) return
      stop()
      resolve(change)
    })
  })
}

describe('dev issuer', () => {
  it('publishes discovery metadata whose issuer, jwks_uri and token endpoint match', async () => {
    const response = await fetch(`${issuer.url}/.well-known/openid-configuration`)
    const metadata = (await response.json()) as Record<string, unknown>
    expect(metadata.issuer).toBe(issuer.url)
    expect(metadata.jwks_uri).toBe(issuer.jwksUri)
    expect(metadata.token_endpoint).toBe(issuer.tokenEndpoint)
    expect(metadata.grant_types_supported).toContain('client_credentials')
  })

  it('issues RFC 9068 JWT access tokens for the requested resource through client credentials', async () => {
    const { accessToken, scope } = await token('demo-writer', KOA, 'notes:read notes:write')
    const { header, payload } = decode(accessToken)
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: issuer.keyRing.signingKid })
    expect(payload).toMatchObject({
      iss: issuer.url,
      aud: KOA,
      client_id: 'demo-writer',
      sub: 'demo-writer',
      scope: 'notes:read notes:write',
    })
    expect(scope).toBe('notes:read notes:write')
  })

  it('issues tokens that @keyward/core verifies through discovery, for their audience only', async () => {
    const verifier = createVerifier({ issuer: issuer.url, audience: EXPRESS })
    try {
      const { accessToken } = await token('demo-reader', EXPRESS, 'notes:read')
      const auth = await verifier.verify(accessToken)
      expect(auth).toMatchObject({ clientId: 'demo-reader', scopes: ['notes:read'] })
      const other = await token('demo-reader', KOA, 'notes:read')
      const error: unknown = await verifier.verify(other.accessToken).catch((e: unknown) => e)
      expect(isKeywardError(error) && error.code).toBe('invalid_audience')
    } finally {
      verifier.close()
    }
  })

  it('refuses scopes the client is not registered for and resources it does not know', async () => {
    await expect(token('demo-reader', EXPRESS, 'notes:write')).rejects.toMatchObject({
      error: 'invalid_scope',
    })
    await expect(token('demo-reader', 'urn:keyward:demo:unknown')).rejects.toBeInstanceOf(
      TokenRequestError,
    )
    await expect(token('demo-reader', 'urn:keyward:demo:unknown')).rejects.toMatchObject({
      error: 'invalid_target',
    })
  })

  it('refuses at start a resource that is not an absolute URI, has a fragment or is listed twice', async () => {
    const resource = (indicator: string) => ({ indicator, scopes: ['notes:read'] })
    for (const resources of [
      [resource('notes-api')],
      [resource('https://api.example.com/notes#v1')],
      [resource('https://api.example.com/notes#')],
      [resource(EXPRESS), resource(EXPRESS)],
    ]) {
      await expect(startDevIssuer({ resources })).rejects.toBeInstanceOf(TypeError)
    }
  })

  it('gives the short-lived client tokens that live the configured seconds', async () => {
    const { accessToken, expiresIn } = await token('demo-short-lived', EXPRESS, 'notes:read')
    const { payload } = decode(accessToken)
    expect(expiresIn).toBe(2)
    expect(Number(payload.exp) - Number(payload.iat)).toBe(2)
  })

  it('rotates with overlap: publishes the new key, then signs with it, then retires the old one', async () => {
    const oldKid = issuer.keyRing.signingKid
    const signing = nextChange('signing')
    const status = await issuer.rotate('overlap')
    expect(await publishedKids()).toEqual([oldKid, status.newKid])
    expect(decode((await token('demo-reader', EXPRESS)).accessToken).header.kid).toBe(oldKid)
    const retired = nextChange('retired')
    await signing
    expect(await publishedKids()).toEqual([oldKid, status.newKid])
    expect(decode((await token('demo-reader', EXPRESS)).accessToken).header.kid).toBe(status.newKid)
    expect(await retired).toEqual({ type: 'retired', kids: [oldKid] })
    expect(await publishedKids()).toEqual([status.newKid])
    expect(issuer.state().keys.completedRotations).toBe(1)
  })

  it('rotates abruptly: signs with the new key the moment it is published', async () => {
    const oldKid = issuer.keyRing.signingKid
    const retired = nextChange('retired')
    const status = await issuer.rotate('abrupt')
    expect(status).toMatchObject({ mode: 'abrupt', oldKid, phase: 'signing' })
    expect(decode((await token('demo-reader', EXPRESS)).accessToken).header.kid).toBe(status.newKid)
    expect(await publishedKids()).toEqual([oldKid, status.newKid])
    await retired
    expect(await publishedKids()).toEqual([status.newKid])
  })

  it('answers 409 to a rotation request while one is in progress', async () => {
    const first = await fetch(`${issuer.url}/_dev/rotate?mode=overlap`, { method: 'POST' })
    expect(first.status).toBe(202)
    const second = await fetch(`${issuer.url}/_dev/rotate?mode=abrupt`, { method: 'POST' })
    expect(second.status).toBe(409)
    const bad = await fetch(`${issuer.url}/_dev/rotate?mode=sideways`, { method: 'POST' })
    expect(bad.status).toBe(400)
  })

  it('fails JWKS and discovery with 503 during an outage while the token endpoint keeps working', async () => {
    const agent = { headers: { 'user-agent': 'test-agent' } }
    expect((await fetch(issuer.jwksUri, agent)).status).toBe(200)
    const off = await fetch(`${issuer.url}/_dev/outage?mode=503`, { method: 'POST' })
    expect(off.status).toBe(200)
    expect((await fetch(issuer.jwksUri, agent)).status).toBe(503)
    const metadata = await fetch(`${issuer.url}/.well-known/openid-configuration`, agent)
    expect(metadata.status).toBe(503)
    await expect(token('demo-reader', EXPRESS)).resolves.toHaveProperty('accessToken')
    issuer.setOutage('off')
    expect((await fetch(issuer.jwksUri, agent)).status).toBe(200)
    expect(issuer.state().requests['test-agent']).toEqual({
      jwks: { served: 2, refused: 1 },
      metadata: { served: 0, refused: 1 },
    })
  })

  it('holds JWKS requests without an answer in hang mode until the outage ends', async () => {
    issuer.setOutage('hang')
    const pending = fetch(issuer.jwksUri)
    const outcome = await Promise.race([
      pending.then(() => 'answered'),
      sleep(300).then(() => 'hung'),
    ])
    expect(outcome).toBe('hung')
    issuer.setOutage('off')
    expect((await pending).status).toBe(503)
    expect((await fetch(issuer.jwksUri)).status).toBe(200)
  })
})
