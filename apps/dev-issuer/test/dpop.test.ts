import { createVerifier, isKeywardError } from '@keyward/core'
import { DpopClient } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestToken, startDevIssuer, type DevIssuer, type TokenResponse } from '../src/index.js'

const EXPRESS = 'urn:keyward:demo:express-api'
/** The API's public URL, as proofs name it in `htu`. */
const API = 'https://api.demo.test'

let issuer: DevIssuer
let client: DpopClient

beforeAll(async () => {
  issuer = await startDevIssuer()
  client = await DpopClient.create('ES256')
})
afterAll(async () => {
  await issuer.close()
})

/** A token request of `clientId`, with `proof` as its `DPoP` header when given. */
function token(clientId: string, proof?: string): Promise<TokenResponse> {
  const registered = issuer.clients.find((c) => c.clientId === clientId)!
  return requestToken({
    tokenEndpoint: issuer.tokenEndpoint,
    clientId,
    clientSecret: registered.clientSecret,
    resource: EXPRESS,
    scope: 'notes:read',
    ...(proof === undefined ? {} : { dpopProof: proof }),
  })
}

/** A proof for the token request itself (RFC 9449 §5: `POST` on the token endpoint, no `ath`). */
const tokenProof = (): string => client.proof({ htm: 'POST', htu: issuer.tokenEndpoint })

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

describe('dev issuer DPoP (RFC 9449)', () => {
  it('advertises the proof algorithms it accepts, asymmetric only', async () => {
    const response = await fetch(`${issuer.url}/.well-known/openid-configuration`)
    const metadata = (await response.json()) as Record<string, unknown>
    expect(metadata.dpop_signing_alg_values_supported).toContain('ES256')
    expect(metadata.dpop_signing_alg_values_supported).not.toContain('HS256')
  })

  it('binds the key-holding client’s token to the proof key: token_type DPoP and cnf.jkt', async () => {
    const response = await token('demo-dpop', tokenProof())
    expect(response.tokenType).toBe('DPoP')
    expect(payloadOf(response.accessToken)).toMatchObject({
      client_id: 'demo-dpop',
      aud: EXPRESS,
      scope: 'notes:read',
      cnf: { jkt: client.jkt },
    })
  })

  it('binds any client’s token when its request carries a proof, and none without', async () => {
    const bound = await token('demo-reader', tokenProof())
    expect(bound.tokenType).toBe('DPoP')
    expect(payloadOf(bound.accessToken).cnf).toEqual({ jkt: client.jkt })
    const bearer = await token('demo-reader')
    expect(bearer.tokenType).toBe('Bearer')
    expect(payloadOf(bearer.accessToken).cnf).toBeUndefined()
  })

  it('refuses the key-holding client without a proof, with a replayed proof and with a proof for another URL', async () => {
    await expect(token('demo-dpop')).rejects.toMatchObject({ status: 400, error: 'invalid_grant' })
    const proof = tokenProof()
    await expect(token('demo-dpop', proof)).resolves.toMatchObject({ tokenType: 'DPoP' })
    await expect(token('demo-dpop', proof)).rejects.toMatchObject({
      status: 400,
      error: 'invalid_grant',
    })
    const elsewhere = client.proof({ htm: 'POST', htu: `${issuer.url}/elsewhere` })
    await expect(token('demo-dpop', elsewhere)).rejects.toMatchObject({
      status: 400,
      error: 'invalid_dpop_proof',
    })
  })

  it('issues bound tokens that @keyward/core accepts with a proof of the key and refuses as Bearer', async () => {
    const verifier = createVerifier({
      issuer: issuer.url,
      audience: EXPRESS,
      dpop: { publicBaseUrl: API },
      logger: { warn: () => undefined },
    })
    try {
      const { accessToken } = await token('demo-dpop', tokenProof())
      const request = (headers: Record<string, string>) => ({
        method: 'GET',
        url: '/notes',
        headers,
      })
      const auth = await verifier.authenticate(
        request(client.headers('GET', `${API}/notes`, accessToken)),
      )
      expect(auth?.binding).toEqual({ type: 'dpop', jkt: client.jkt })
      expect(auth?.clientId).toBe('demo-dpop')
      const error: unknown = await verifier
        .authenticate(request({ authorization: `Bearer ${accessToken}` }))
        .catch((e: unknown) => e)
      expect(isKeywardError(error) && error.code).toBe('sender_constrained_token')
    } finally {
      verifier.close()
    }
  })
})
