import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../src/index.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

// Issue 21, problem 6: an http issuer that is not loopback, as Keycloak is in a docker-compose
// development setup (`http://keycloak:8080`). The injected fetch stands for docker's name
// resolution only: it sends `keycloak:8080` to the loopback JWKS server and answers discovery;
// every URL check is keyward's own, at construction and on each fetch.

const ISSUER = 'http://keycloak:8080/realms/dev'
const JWKS_URI = `${ISSUER}/protocol/openid-connect/certs`

let issuer: TestIssuer
let keys: JwksServer

beforeAll(async () => {
  issuer = await TestIssuer.create({ issuer: ISSUER })
  keys = await startJwksServer({ issuer })
}, SETUP_TIMEOUT_MS)

afterAll(async () => {
  await keys.close()
})

const dockerNetwork = (url: string, init?: RequestInit): Promise<Response> => {
  if (url === `${ISSUER}/.well-known/openid-configuration`) {
    return Promise.resolve(Response.json({ issuer: ISSUER, jwks_uri: JWKS_URI }))
  }
  return fetch(url === JWKS_URI ? keys.url : url, init)
}

describe('an http issuer on a docker-compose host', () => {
  it('verifies its tokens through discovery with dangerouslyAllowInsecureHttp: true', async () => {
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: issuer.audience,
      dangerouslyAllowInsecureHttp: true,
      logger: false,
      jwks: { fetch: dockerNetwork },
    })
    try {
      const token = await verifier.verify(issuer.mint({ sub: 'compose-user' }))
      expect({ iss: token.issuer, sub: token.subject }).toEqual({
        iss: ISSUER,
        sub: 'compose-user',
      })
      expect(keys.jwksRequests).toBe(1)
    } finally {
      verifier.close()
    }
  })
})
