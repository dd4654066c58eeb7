import { verify as cryptoVerify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto'
import { createVerifier as createKeywardVerifier, type SignatureThreads } from '@keyward/core'
import { JwtVerifier } from 'aws-jwt-verify'
import type { Request, Response } from 'express'
import { auth } from 'express-oauth2-jwt-bearer'
import { createVerifier as createFastJwtVerifier } from 'fast-jwt'
import { createRemoteJWKSet, importJWK, jwtVerify } from 'jose'
import jsonwebtoken, { type Algorithm, type GetPublicKeyOrSecret } from 'jsonwebtoken'
import jwksRsa from 'jwks-rsa'
import { AUDIENCE, type AlgorithmFixture, type BenchAlgorithm } from '../fixtures.js'
import type { Contender, ContenderFactory } from './contender.js'

/** The `node:crypto` digest and key input of an algorithm, as the floor uses them. */
export function nodeVerifyParams(
  alg: BenchAlgorithm,
  key: KeyObject,
): { hash: string | null; key: KeyObject | VerifyKeyObjectInput } {
  if (alg === 'ES256') return { hash: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } }
  if (alg === 'EdDSA') return { hash: null, key }
  return { hash: 'sha256', key }
}

/**
 * The floor: split the token, decode the signature, `crypto.verify` with a pre-imported
 * `KeyObject`. No JSON, no claims, no key lookup: nothing a verifier can skip.
 */
export const floor: ContenderFactory = {
  name: 'floor (crypto.verify)',
  signatureOnly: true,
  create(fixture) {
    const { hash, key } = nodeVerifyParams(fixture.alg, fixture.publicKey)
    return Promise.resolve({
      name: this.name,
      sync: true,
      verify(token: string) {
        const dot = token.lastIndexOf('.')
        const data = Buffer.from(token.slice(0, dot), 'latin1')
        const signature = Buffer.from(token.slice(dot + 1), 'base64url')
        if (!cryptoVerify(hash, data, key, signature)) throw new Error('invalid signature')
      },
    })
  },
}

function joseOptions(fixture: AlgorithmFixture) {
  return { issuer: fixture.iss, audience: AUDIENCE, algorithms: [fixture.alg] }
}

export const joseLocal: ContenderFactory = {
  name: 'jose jwtVerify (local key)',
  async create(fixture) {
    const key = await importJWK(fixture.publicJwk, fixture.alg)
    const options = joseOptions(fixture)
    return {
      name: this.name,
      sync: false,
      verify: (token: string) => jwtVerify(token, key, options),
    }
  },
}

export const joseRemote: ContenderFactory = {
  name: 'jose jwtVerify (createRemoteJWKSet)',
  create(fixture) {
    const jwks = createRemoteJWKSet(new URL(fixture.server.url))
    const options = joseOptions(fixture)
    return Promise.resolve({
      name: this.name,
      sync: false,
      verify: (token: string) => jwtVerify(token, jwks, options),
    })
  },
}

export const jwksRsaJsonwebtoken: ContenderFactory = {
  name: 'jwks-rsa + jsonwebtoken',
  create(fixture) {
    // The pattern of jsonwebtoken's README: a key callback backed by a caching jwks-rsa client.
    const client = jwksRsa({ jwksUri: fixture.server.url })
    const getKey: GetPublicKeyOrSecret = (header, callback) => {
      client.getSigningKey(header.kid, (error, key) => {
        callback(error, key?.getPublicKey())
      })
    }
    // jsonwebtoken 9 (through jws/jwa) has no EdDSA.
    if (fixture.alg === 'EdDSA') throw new Error('jsonwebtoken 9 does not support EdDSA')
    const options = {
      issuer: fixture.iss,
      audience: AUDIENCE,
      algorithms: [fixture.alg as Algorithm],
    }
    return Promise.resolve({
      name: this.name,
      sync: false,
      verify: (token: string) =>
        new Promise((resolve, reject) => {
          jsonwebtoken.verify(token, getKey, options, (error, payload) => {
            if (error === null) resolve(payload)
            else reject(error)
          })
        }),
    })
  },
}

export const awsJwtVerify: ContenderFactory = {
  name: 'aws-jwt-verify',
  create(fixture) {
    const verifier = JwtVerifier.create({
      issuer: fixture.iss,
      audience: AUDIENCE,
      jwksUri: fixture.server.url,
    })
    // aws-jwt-verify fetches over https only; here its JWKS is handed over directly, which is
    // the state a warmed-up verifier is in. The JWKS suite exercises its real fetching.
    verifier.cacheJwks(fixture.issuer.jwks() as never)
    return Promise.resolve({
      name: this.name,
      sync: false,
      verify: (token: string) => verifier.verify(token),
    })
  },
}

function fastJwt(name: string, cache: boolean): ContenderFactory {
  return {
    name,
    caches: cache,
    create(fixture) {
      const verify = createFastJwtVerifier({
        key: fixture.publicPem,
        algorithms: [fixture.alg],
        allowedIss: fixture.iss,
        allowedAud: AUDIENCE,
        cache,
      })
      return Promise.resolve({
        name,
        sync: true,
        verify: (token: string): unknown => verify(token),
      })
    },
  }
}

export const fastJwtNoCache = fastJwt('fast-jwt', false)
export const fastJwtCache = fastJwt('fast-jwt (cache)', true)

/**
 * express-oauth2-jwt-bearer's middleware as a function of a token. The middleware is the
 * library's only entry point; it gets the few request members it reads, and no HTTP is
 * involved.
 */
export function oauth2JwtBearerVerifier(
  iss: string,
  alg: BenchAlgorithm,
  jwksUri: string,
): (token: string) => Promise<void> {
  const middleware = auth({ issuer: iss, audience: AUDIENCE, jwksUri, tokenSigningAlg: alg })
  const response = Object.create(null) as Response
  return (token) =>
    new Promise<void>((resolve, reject) => {
      const headers = { authorization: `Bearer ${token}`, host: 'api.bench.test' }
      const request = {
        headers,
        method: 'GET',
        protocol: 'https',
        url: '/',
        originalUrl: '/',
        query: {},
        is: () => false,
        get: (name: string) => headers[name.toLowerCase() as keyof typeof headers],
      } as unknown as Request
      void middleware(request, response, (error?: unknown) => {
        if (error === undefined) resolve()
        else reject(error instanceof Error ? error : new Error('rejected'))
      })
    })
}

export const expressOAuth2JwtBearer: ContenderFactory = {
  name: 'express-oauth2-jwt-bearer',
  create(fixture) {
    return Promise.resolve({
      name: this.name,
      sync: false,
      verify: oauth2JwtBearerVerifier(fixture.iss, fixture.alg, fixture.server.url),
    })
  },
}

/** keyward `verify()` with the given cache size and `signatureThreads` (default: core's). */
export function keyward(
  name: string,
  verifiedTokenCacheSize: number,
  signatureThreads?: SignatureThreads,
): ContenderFactory {
  return {
    name,
    caches: verifiedTokenCacheSize > 0,
    async create(fixture) {
      const verifier = createKeywardVerifier({
        issuer: fixture.iss,
        audience: AUDIENCE,
        jwksUri: fixture.server.url,
        verifiedTokenCacheSize,
        signatureThreads,
      })
      await verifier.warmup()
      return {
        name,
        sync: false,
        verify: (token: string) => verifier.verify(token),
        close: () => {
          verifier.close()
        },
      }
    },
  }
}

export const keywardCached = keyward('keyward verify()', 1000)
export const keywardUncached = keyward('keyward verify() (cache off)', 0)

/** Every contender of the micro suite, the floor first. */
export const CONTENDERS: readonly ContenderFactory[] = [
  floor,
  keywardCached,
  keywardUncached,
  fastJwtNoCache,
  fastJwtCache,
  awsJwtVerify,
  joseLocal,
  joseRemote,
  expressOAuth2JwtBearer,
  jwksRsaJsonwebtoken,
]

export type { Contender }
