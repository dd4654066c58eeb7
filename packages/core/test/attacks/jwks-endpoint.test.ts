// Attack family: a hostile or broken JWKS endpoint. Each test starts a verifier with no keys
// cached against a misbehaving endpoint and sends a valid token over real HTTP: the answer is 503
// `jwks_unavailable` with `Retry-After` and no challenge, quickly, and the handler never ran.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  startJwksServer,
  symmetricJwk,
  TestIssuer,
  weakRsaJwk,
  type JwksFault,
  type JwksServer,
} from '@keyward/test-utils'
import { generateKeyPairSync, sign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerSecret } from './support/audit.js'
import { ED25519_IDENTITY, pkcs1Encoded } from './support/forge.js'
import { b64, startTarget, type Target } from './support/scenario.js'

const TIMEOUT_MS = 400

describe('attacks: JWKS endpoint', () => {
  let issuer: TestIssuer
  let jwks: JwksServer
  const targets: Target[] = []
  beforeAll(async () => {
    issuer = await TestIssuer.create({ alg: 'ES256' })
    jwks = await startJwksServer({ issuer })
  })
  afterAll(async () => {
    for (const target of targets) {
      target.verifier.close()
      await target.app.close()
    }
    await jwks.close()
  })

  /** A verifier that has never fetched keys, against `url`. */
  const freshTarget = async (url = jwks.url): Promise<Target> => {
    const target = await startTarget({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: url,
      jwks: { timeoutMs: TIMEOUT_MS },
    })
    targets.push(target)
    return target
  }

  it('accepts a valid token from a healthy endpoint (positive control)', async () => {
    jwks.setFault(null)
    await (await freshTarget()).accept(issuer.mint())
  })

  describe('an endpoint that answers with something other than a key set', () => {
    const MISCONFIGURED = new Set([
      'an HTML login page',
      'truncated JSON',
      'JSON that is a string',
      'JSON that is an array of keys',
      'JSON where keys is an object',
      'JSON null',
      'an empty body',
      'a 404 with a key set in the body',
    ])
    it.each<[string, JwksFault]>([
      ['an oversized chunked body (5 MB)', { kind: 'huge-body', bytes: 5_000_000 }],
      [
        'an oversized body with Content-Length',
        { kind: 'huge-body', bytes: 5_000_000, contentLength: true },
      ],
      ['a gzip bomb (100 MB inflated)', { kind: 'gzip-bomb', decompressedBytes: 100_000_000 }],
      ['an HTML login page', { kind: 'non-json' }],
      [
        'truncated JSON',
        { kind: 'non-json', body: '{"keys":[{"kty":"EC"', contentType: 'application/json' },
      ],
      ['JSON that is a string', { kind: 'body', body: 'keys' }],
      ['JSON that is an array of keys', { kind: 'body', body: [{ kty: 'EC' }] }],
      ['JSON where keys is an object', { kind: 'body', body: { keys: { 0: {} } } }],
      ['JSON null', { kind: 'body', body: null }],
      ['an empty key set', { kind: 'body', body: { keys: [] } }],
      ['an empty body', { kind: 'non-json', body: '', contentType: 'application/json' }],
      ['a 500', { kind: 'status', status: 500 }],
      ['a 404 with a key set in the body', { kind: 'status', status: 404, body: '{"keys":[]}' }],
      ['a 304 nobody asked for', { kind: 'status', status: 304 }],
      ['a TCP reset', { kind: 'reset' }],
    ])('answers 503 for %s', async (name, fault) => {
      jwks.setFault(fault)
      const target = await freshTarget()
      // Both answer the client alike; a document that is not a key set (or a 404) is the
      // operator's configuration problem, the rest an outage.
      await target.reject(
        issuer.mint(),
        MISCONFIGURED.has(name) ? 'jwks_misconfigured' : 'jwks_unavailable',
      )
    })

    it('answers 503 for a key set with only unusable keys', async () => {
      jwks.setFault({
        kind: 'keys',
        keys: [
          symmetricJwk(),
          await encryptionJwk(),
          await weakRsaJwk(1024),
          await privateJwk('ES256'),
        ],
      })
      await (await freshTarget()).reject(issuer.mint(), 'jwks_unavailable')
    })
  })

  describe('an endpoint that is slow or silent', () => {
    it.each<[string, JwksFault]>([
      ['hangs after accepting the request', { kind: 'hang' }],
      [
        'sends headers, then the body one byte every 100 ms (slowloris)',
        { kind: 'slow-body', chunkDelayMs: 100, chunks: 1000 },
      ],
      ['waits 10 s before answering', { kind: 'delay', ms: 10_000 }],
    ])('answers 503 within the timeout when it %s', async (_name, fault) => {
      jwks.setFault(fault)
      const target = await freshTarget()
      const started = performance.now()
      await target.reject(issuer.mint(), 'jwks_unavailable')
      // The deadline covers the whole exchange, body included; generous bound for a busy CI.
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 2000)
    })
  })

  describe('redirects (never followed: they would hand key selection to another host)', () => {
    let attacker: Server
    let attackerConnections = 0
    let attackerUrl = ''
    beforeAll(async () => {
      const evil = await TestIssuer.create({ alg: 'ES256' })
      attacker = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(evil.jwks()))
      })
      attacker.on('connection', () => {
        attackerConnections++
      })
      // Another host: 127.0.0.2 is loopback on Linux, distinct from the JWKS host.
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.2', resolve))
      attackerUrl = `http://127.0.0.2:${(attacker.address() as AddressInfo).port}/jwks.json`
    })
    afterAll(async () => {
      await new Promise<void>((resolve) => {
        attacker.close(() => {
          resolve()
        })
        attacker.closeAllConnections()
      })
    })

    it.each([301, 302, 303, 307, 308])(
      'answers 503 for a %i redirect to another host, which is never contacted',
      async (status) => {
        jwks.setFault({ kind: 'redirect', location: attackerUrl, status })
        // A redirect means the configured URL is not where keys are: the operator's to fix.
        await (await freshTarget()).reject(issuer.mint(), 'jwks_misconfigured')
        expect(attackerConnections).toBe(0)
      },
    )
  })

  describe('hostile keys mixed with good ones (each key judged on its own)', () => {
    it('keeps the good key and drops private, symmetric, weak and use: enc keys', async () => {
      const leaked = await privateJwk('ES256', 'leaked-private')
      const oct = symmetricJwk('oct')
      registerSecret(String(leaked.d))
      registerSecret(String(oct.k))
      jwks.setFault({
        kind: 'keys',
        keys: [
          leaked,
          oct,
          await weakRsaJwk(1024, 'weak-1024'),
          await rsaJwkWithExponent(1, 'rsa-e1'),
          await rsaJwkWithExponent(65536, 'rsa-even-e'),
          await rsaJwkWithExponent(2n ** 64n + 1n, 'rsa-huge-e'),
          await encryptionJwk('enc'),
          { ...issuer.signingKey.publicJwk, kid: 'ops-sign', key_ops: ['sign'] },
          { kty: 'EC', crv: 'secp256k1', x: 'AAAA', y: 'AAAA', kid: 'k1' },
          { kty: 'OKP', crv: 'Ed25519', x: b64(ED25519_IDENTITY), kid: 'ed-small-order' },
          ...issuer.jwks().keys,
        ],
      })
      const target = await freshTarget()
      await target.accept(issuer.mint())
      for (const kid of [
        'leaked-private',
        'oct',
        'weak-1024',
        'rsa-e1',
        'rsa-even-e',
        'rsa-huge-e',
        'enc',
        'ops-sign',
        'k1',
        'ed-small-order',
      ]) {
        await target.reject(issuer.mint({}, { kid }), 'unknown_key')
      }
    })

    it('drops an RSA key with e = 1, so the padded hash is no signature (forgery without a private key)', async () => {
      const e1 = await rsaJwkWithExponent(1, 'forgeable-e1')
      jwks.setFault({ kind: 'keys', keys: [e1, ...issuer.jwks().keys] })
      const target = await freshTarget()
      const header = b64(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'forgeable-e1' }))
      const input = `${header}.${b64(JSON.stringify(issuer.claims({ scope: 'admin' })))}`
      const forged = pkcs1Encoded(input, Buffer.from(String(e1.n), 'base64url').length)
      await target.reject(`${input}.${forged.toString('base64url')}`, 'unknown_key', '/admin')
    })

    it('drops an RSA key with a 3063-bit exponent, so a forged token naming it costs no exponentiation (CPU trap)', async () => {
      jwks.setFault({
        kind: 'keys',
        keys: [await rsaJwkWithExponent((1n << 3062n) + 1n, 'rsa-huge-e'), ...issuer.jwks().keys],
      })
      const target = await freshTarget()
      await target.reject(issuer.mint({}, { kid: 'rsa-huge-e', signature: 'zeros' }), 'unknown_key')
    })

    it('drops a small-order Ed25519 key, so (R = identity, S = 0) is no signature (forgery without a private key)', async () => {
      jwks.setFault({
        kind: 'keys',
        keys: [
          {
            kty: 'OKP',
            crv: 'Ed25519',
            x: b64(ED25519_IDENTITY),
            kid: 'forgeable-ed',
            alg: 'EdDSA',
            use: 'sig',
          },
          ...issuer.jwks().keys,
        ],
      })
      const target = await freshTarget()
      const header = b64(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: 'forgeable-ed' }))
      const input = `${header}.${b64(JSON.stringify(issuer.claims({ scope: 'admin' })))}`
      const forged = Buffer.concat([ED25519_IDENTITY, Buffer.alloc(32)])
      await target.reject(`${input}.${forged.toString('base64url')}`, 'unknown_key', '/admin')
      // Without a kid, no Ed25519 key is left to try at all.
      const noKid = b64(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt' }))
      const input2 = `${noKid}.${b64(JSON.stringify(issuer.claims({ scope: 'admin' })))}`
      await target.reject(`${input2}.${forged.toString('base64url')}`, 'unknown_key', '/admin')
    })

    it('does not let a key with the same kid but other material replace the first one', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const impostor = {
        ...publicKey.export({ format: 'jwk' }),
        kid: issuer.signingKey.kid,
        alg: 'ES256',
        use: 'sig',
      }
      jwks.setFault({ kind: 'keys', keys: [...issuer.jwks().keys, impostor] })
      const target = await freshTarget()
      await target.accept(issuer.mint())
      const header = b64(
        JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: issuer.signingKey.kid }),
      )
      const input = `${header}.${b64(JSON.stringify(issuer.claims()))}`
      const signature = sign('sha256', Buffer.from(input), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      })
      await target.reject(`${input}.${signature.toString('base64url')}`, 'invalid_signature')
    })
  })
})
