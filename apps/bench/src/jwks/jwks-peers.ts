import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt'
import { createVerifier as createKeywardVerifier } from '@keyward/core'
import { JwtVerifier } from 'aws-jwt-verify'
import { SimpleFetcher } from 'aws-jwt-verify/https'
import { SimpleJwksCache } from 'aws-jwt-verify/jwk'
import { createVerifier as createFastJwtVerifier } from 'fast-jwt'
import Fastify from 'fastify'
import buildGetJwks from 'get-jwks'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import jsonwebtoken, { type Algorithm, type GetPublicKeyOrSecret } from 'jsonwebtoken'
import jwksRsa from 'jwks-rsa'
import { AUDIENCE, type BenchAlgorithm } from '../fixtures.js'
import { oauth2JwtBearerVerifier } from '../micro/contenders.js'
import { startHttpsFront } from './https-front.js'

/** Where a fresh peer instance finds its issuer's keys. */
export interface JwksTarget {
  readonly alg: BenchAlgorithm
  readonly iss: string
  /** The counting loopback JWKS server. */
  readonly jwksUrl: string
  readonly origin: string
}

/** A freshly configured verifier of one library, with its own empty key cache. */
export interface JwksPeer {
  verify(token: string): Promise<unknown>
  close(): Promise<void>
}

export interface JwksPeerFactory {
  readonly name: string
  /** How the library is configured: its defaults unless said here. */
  readonly configuration: string
  create(target: JwksTarget): Promise<JwksPeer>
}

const nothing = (): Promise<void> => Promise.resolve()

/** A refused request as the suite counts it: its error `code`, else its status. */
class RefusedRequest extends Error {
  constructor(readonly code: string) {
    super(code)
  }
}

/**
 * @fastify/jwt's README recipe for a JWKS (get-jwks behind `request.jwtVerify()` in an
 * `onRequest` hook), keys from the target's JWKS; each verification is a request through
 * Fastify's `inject`, so the plugin's own key handling runs as in an app.
 */
async function fastifyJwtPeer(target: JwksTarget): Promise<JwksPeer> {
  const app = Fastify()
  const getJwks = buildGetJwks({ jwksPath: new URL(target.jwksUrl).pathname })
  await app.register(fastifyJwt, {
    decode: { complete: true },
    secret: (_request: unknown, token: TokenOrHeader) => {
      const { header } = token as { header: { kid?: string; alg?: string } }
      return getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: target.origin })
    },
    verify: { allowedIss: target.iss, allowedAud: AUDIENCE, algorithms: [target.alg] },
  })
  app.addHook('onRequest', async (request) => {
    await request.jwtVerify()
  })
  app.get('/', (request) => request.user)
  await app.ready()
  return {
    async verify(token) {
      const reply = await app.inject({ url: '/', headers: { authorization: `Bearer ${token}` } })
      if (reply.statusCode === 200) return reply.json()
      const { code } = reply.json<{ code?: string }>()
      throw new RefusedRequest(code ?? String(reply.statusCode))
    },
    close: () => app.close(),
  }
}

function jsonwebtokenWith(client: jwksRsa.JwksClient, target: JwksTarget): JwksPeer {
  const getKey: GetPublicKeyOrSecret = (header, callback) => {
    client.getSigningKey(header.kid, (error, key) => {
      callback(error, key?.getPublicKey())
    })
  }
  const options = {
    issuer: target.iss,
    audience: AUDIENCE,
    algorithms: [target.alg as Algorithm],
  }
  return {
    verify: (token) =>
      new Promise((resolve, reject) => {
        jsonwebtoken.verify(token, getKey, options, (error, payload) => {
          if (error === null) resolve(payload)
          else reject(error)
        })
      }),
    close: nothing,
  }
}

/** Every library that fetches a JWKS itself, and keyward. */
export const JWKS_PEERS: readonly JwksPeerFactory[] = [
  {
    name: 'keyward',
    configuration: 'defaults (cooldownMs 30 s, coalesced fetches)',
    create(target) {
      const verifier = createKeywardVerifier({
        issuer: target.iss,
        audience: AUDIENCE,
        jwksUri: target.jwksUrl,
      })
      return Promise.resolve({
        verify: (token) => verifier.verify(token),
        close: () => {
          verifier.close()
          return Promise.resolve()
        },
      })
    },
  },
  {
    name: 'jose createRemoteJWKSet',
    configuration: 'defaults (cooldownDuration 30 s, cacheMaxAge 10 min)',
    create(target) {
      const jwks = createRemoteJWKSet(new URL(target.jwksUrl))
      const options = { issuer: target.iss, audience: AUDIENCE, algorithms: [target.alg] }
      return Promise.resolve({ verify: (token) => jwtVerify(token, jwks, options), close: nothing })
    },
  },
  {
    name: 'express-oauth2-jwt-bearer',
    configuration: 'defaults (jose 4 createRemoteJWKSet inside)',
    create(target) {
      const verify = oauth2JwtBearerVerifier(target.iss, target.alg, target.jwksUrl)
      return Promise.resolve({ verify, close: nothing })
    },
  },
  {
    name: 'jwks-rsa + jsonwebtoken',
    configuration: 'defaults (cache on, rateLimit off)',
    create(target) {
      return Promise.resolve(jsonwebtokenWith(jwksRsa({ jwksUri: target.jwksUrl }), target))
    },
  },
  {
    name: 'jwks-rsa + jsonwebtoken (rate-limited)',
    configuration: 'cache on, rateLimit on, jwksRequestsPerMinute 5 (express-jwt README)',
    create(target) {
      const client = jwksRsa({
        jwksUri: target.jwksUrl,
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
      })
      return Promise.resolve(jsonwebtokenWith(client, target))
    },
  },
  {
    name: 'aws-jwt-verify',
    configuration: 'defaults (penalty box 10 s); https front with a run-time CA',
    async create(target) {
      // aws-jwt-verify only speaks https: an https front with a throw-away certificate, trusted
      // through the library's own fetcher options.
      const front = await startHttpsFront(target.origin)
      const jwksCache = new SimpleJwksCache({
        fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: front.ca } }),
      })
      const verifier = JwtVerifier.create(
        {
          issuer: target.iss,
          audience: AUDIENCE,
          jwksUri: front.origin + new URL(target.jwksUrl).pathname,
        },
        { jwksCache },
      )
      return { verify: (token) => verifier.verify(token), close: () => front.close() }
    },
  },
  {
    name: 'fast-jwt + get-jwks',
    configuration: 'get-jwks defaults (LRU of 100 keys, ttl 1 min), fast-jwt async key',
    create(target) {
      const getJwks = buildGetJwks({ jwksPath: new URL(target.jwksUrl).pathname })
      const verify = createFastJwtVerifier({
        key: async (decoded: { header: { kid?: string; alg?: string } }) =>
          getJwks.getPublicKey({
            kid: decoded.header.kid,
            alg: decoded.header.alg,
            domain: target.origin,
          }),
        algorithms: [target.alg],
        allowedIss: target.iss,
        allowedAud: AUDIENCE,
      })
      return Promise.resolve({ verify: (token) => verify(token), close: nothing })
    },
  },
  {
    name: '@fastify/jwt + get-jwks',
    configuration: "@fastify/jwt README's get-jwks recipe, get-jwks defaults, through Fastify 5",
    create: fastifyJwtPeer,
  },
]
