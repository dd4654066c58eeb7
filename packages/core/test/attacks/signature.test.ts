// Attack family: signatures and keys. Over real HTTP: status, code, WWW-Authenticate, body, and
// the handler never ran.
import { generateKeyPairSync } from 'node:crypto'
import { symmetricJwk, type TestKey } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { registerSecret } from './support/audit.js'
import { CURVE_ORDERS, signatureOf } from './support/forge.js'
import { b64, decodeSegment, segments, startScenario, type Scenario } from './support/scenario.js'

describe('attacks: signatures', () => {
  let s: Scenario
  let rsa: TestKey
  const ec: Partial<Record<'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'PS256', TestKey>> = {}
  beforeAll(async () => {
    s = await startScenario({
      alg: 'RS256',
      extraKeys: ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256'],
    })
    rsa = s.issuer.signingKey
    for (const key of s.issuer.published) {
      if (key.alg !== 'RS256') ec[key.alg as keyof typeof ec] = key
    }
  })
  afterAll(async () => {
    await s.close()
  })
  const key = (alg: keyof typeof ec): TestKey => {
    const found = ec[alg]
    if (found === undefined) throw new Error(`no ${alg} key`)
    return found
  }

  it('accepts an untouched token of every published key (positive control)', async () => {
    await s.target.accept(s.issuer.mint())
    for (const alg of ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256'] as const) {
      await s.target.accept(s.issuer.mint({}, { key: key(alg) }))
    }
  })

  describe('RS256 → HS256 algorithm confusion (CVE-2016-10555, CVE-2022-21449 class)', () => {
    const secrets = (): [string, string | Buffer][] => {
      const pem = String(rsa.publicKey.export({ type: 'spki', format: 'pem' }))
      const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' })
      const der = rsa.publicKey.export({ type: 'spki', format: 'der' })
      const jwkJson = JSON.stringify(rsa.publicJwk)
      const n = Buffer.from(String(rsa.publicJwk.n), 'base64url')
      return [
        ['the SPKI PEM', pem],
        ['the SPKI PEM without its final newline', pem.trimEnd()],
        ['the PKCS#1 PEM', pkcs1],
        ['the DER public key', der],
        ['the JWK as JSON', jwkJson],
        ['the raw modulus', n],
        ['the base64url modulus', String(rsa.publicJwk.n)],
      ]
    }

    it.each(['HS256', 'HS384', 'HS512'])(
      'rejects %s keyed with each encoding of the public key',
      async (alg) => {
        for (const [, secret] of secrets()) {
          registerSecret(secret)
          await s.target.reject(
            s.issuer.mint({}, { alg, hmacSecret: secret }),
            'algorithm_not_allowed',
          )
          await s.target.reject(
            s.issuer.mint({}, { alg, hmacSecret: secret, kid: null }),
            'algorithm_not_allowed',
          )
        }
      },
    )

    it('refuses HS256 in the algorithm allowlist at construction', () => {
      expect(() =>
        createVerifier({
          issuer: s.issuer.issuer,
          audience: s.issuer.audience,
          jwksUri: s.jwks.url,
          algorithms: ['HS256' as 'RS256'],
        }),
      ).toThrow(TypeError)
    })

    it('rejects HS256 with an oct key published in the JWKS, and never lets the oct key verify', async () => {
      const oct = symmetricJwk('oct-key')
      const secret = Buffer.from(String(oct.k), 'base64url')
      registerSecret(String(oct.k))
      const scenario = await startScenario({ issuer: s.issuer })
      try {
        scenario.jwks.setFault({ kind: 'keys', keys: [oct, ...s.issuer.jwks().keys] })
        await scenario.target.accept(s.issuer.mint())
        await scenario.target.reject(
          s.issuer.mint({}, { alg: 'HS256', hmacSecret: secret, kid: 'oct-key' }),
          'algorithm_not_allowed',
        )
        // An asymmetric alg naming the oct kid: the key was dropped, it is not in the set.
        await scenario.target.reject(s.issuer.mint({}, { kid: 'oct-key' }), 'unknown_key')
        const dropped = scenario.events.filter((event) => event.type === 'jwks_key_dropped')
        expect(dropped.map((event) => [event.kid, event.reason])).toContainEqual([
          'oct-key',
          'symmetric_key',
        ])
      } finally {
        await scenario.close()
      }
    })
  })

  describe('transplants and edits', () => {
    it('rejects a signature transplanted from another token of the same key', async () => {
      const [h, p] = segments(s.issuer.mint({ scope: 'admin' }))
      const [, , sig] = segments(s.issuer.mint({ scope: 'read:things' }))
      await s.target.reject(`${h}.${p}.${sig}`, 'invalid_signature')
    })

    it('rejects a signature transplanted from another key’s token (kid kept)', async () => {
      const [h, p] = segments(s.issuer.mint())
      const [, , sig] = segments(s.issuer.mint({}, { key: key('PS256') }))
      await s.target.reject(`${h}.${p}.${sig}`, 'invalid_signature')
    })

    it.each<[string, Record<string, unknown>]>([
      ['an added admin scope', { scope: 'read:things admin' }],
      ['another subject', { sub: 'admin' }],
      ['a later exp', { exp: 4_102_444_800 }],
      // Claims are checked before the signature, so an edit must keep them valid to get there.
      ['a second audience', { aud: ['https://api.test', 'https://other.test'] }],
    ])('rejects a payload edited to carry %s', async (_name, edit) => {
      const [h, p, sig] = segments(s.issuer.mint())
      const edited = b64(JSON.stringify({ ...decodeSegment(p), ...edit }))
      await s.target.reject(`${h}.${edited}.${sig}`, 'invalid_signature', '/protected')
    })

    it('rejects a header edited to name another kid of the same algorithm family', async () => {
      const [, p, sig] = segments(s.issuer.mint({}, { key: key('ES256') }))
      const h = b64(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: rsa.kid }))
      await s.target.reject(`${h}.${p}.${sig}`, 'invalid_signature')
    })
  })

  describe('attacker keys', () => {
    it.each(['RS256', 'ES256', 'EdDSA'] as const)(
      'rejects a %s token signed by an attacker key under a copied kid',
      async (alg) => {
        const attacker = await s.issuer.addKey({ alg, publish: false })
        const victim = alg === 'RS256' ? rsa : key(alg)
        await s.target.reject(
          s.issuer.mint({}, { key: attacker, kid: victim.kid }),
          'invalid_signature',
        )
      },
    )

    it('rejects an attacker key without a kid: every fitting key is tried, none verifies', async () => {
      const attacker = await s.issuer.addKey({ alg: 'ES256', publish: false })
      await s.target.reject(s.issuer.mint({}, { key: attacker, kid: null }), 'invalid_signature')
    })
  })

  describe('malformed signatures', () => {
    it.each(['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const)(
      'rejects a truncated or extended %s signature',
      async (alg) => {
        const signer = alg === 'RS256' ? rsa : key(alg)
        const [h, p, sig] = segments(s.issuer.mint({}, { key: signer }))
        const bytes = Buffer.from(sig, 'base64url')
        for (const variant of [
          bytes.subarray(0, bytes.length - 1),
          bytes.subarray(1),
          bytes.subarray(0, bytes.length / 2),
          bytes.subarray(0, 1),
          Buffer.concat([Buffer.from([0]), bytes]),
          Buffer.concat([bytes, Buffer.from([0])]),
          Buffer.concat([bytes, bytes]),
        ]) {
          await s.target.reject(`${h}.${p}.${variant.toString('base64url')}`, 'invalid_signature')
        }
      },
    )

    it.each(['RS256', 'PS256'] as const)(
      'rejects a valid %s signature with its leading zero byte removed (RFC 8017 §8.1.2, §8.2.2 step 1)',
      async (alg) => {
        const signer = alg === 'RS256' ? rsa : key(alg)
        // One signature in 256 starts with a zero byte; OpenSSL accepts a PSS signature without
        // it, which would give the same token a second spelling.
        for (let attempt = 0; attempt < 5000; attempt++) {
          const [h, p, sig] = segments(
            s.issuer.mint({ jti: `j${String(attempt)}` }, { key: signer }),
          )
          const bytes = Buffer.from(sig, 'base64url')
          if (bytes[0] !== 0) continue
          await s.target.accept(`${h}.${p}.${sig}`)
          await s.target.reject(
            `${h}.${p}.${bytes.subarray(1).toString('base64url')}`,
            'invalid_signature',
          )
          return
        }
        throw new Error('no signature with a leading zero byte in 5000 tokens')
      },
    )

    it.each(['ES256', 'ES384', 'ES512'] as const)(
      'rejects the psychic %s signature r = s = 0 (CVE-2022-21449)',
      async (alg) => {
        await s.target.reject(
          s.issuer.mint({}, { key: key(alg), signature: 'zeros' }),
          'invalid_signature',
        )
      },
    )

    it.each(['ES256', 'ES384', 'ES512'] as const)(
      'rejects %s signatures with r or s equal to n',
      async (alg) => {
        const signer = key(alg)
        const [h, p, sig] = segments(s.issuer.mint({}, { key: signer }))
        const bytes = Buffer.from(sig, 'base64url')
        const half = bytes.length / 2
        const n = CURVE_ORDERS[alg]
        const r = bytes.subarray(0, half)
        const sPart = bytes.subarray(half)
        const zero = Buffer.alloc(half)
        for (const variant of [
          Buffer.concat([n, n]),
          Buffer.concat([n, sPart]),
          Buffer.concat([r, n]),
          Buffer.concat([n, zero]),
          Buffer.concat([zero, n]),
          Buffer.alloc(half * 2, 0xff),
        ]) {
          expect(variant.length).toBe(bytes.length)
          await s.target.reject(`${h}.${p}.${variant.toString('base64url')}`, 'invalid_signature')
        }
      },
    )

    it.each(['ES256', 'ES384', 'ES512'] as const)(
      'rejects a DER-encoded %s signature, although it is a valid signature (RFC 7518 §3.4)',
      async (alg) => {
        const signer = key(alg)
        const [h, p] = segments(s.issuer.mint({}, { key: signer }))
        const der = signatureOf(alg, signer.privateKey, `${h}.${p}`, { dsaEncoding: 'der' })
        await s.target.reject(`${h}.${p}.${der.toString('base64url')}`, 'invalid_signature')
      },
    )

    it('rejects the all-zero Ed25519 signature', async () => {
      await s.target.reject(
        s.issuer.mint({}, { key: key('EdDSA'), signature: 'zeros' }),
        'invalid_signature',
      )
    })
  })

  describe('curve mismatch', () => {
    it.each([
      ['ES256 naming the P-384 key', 'ES256', 'ES384'],
      ['ES384 naming the P-256 key', 'ES384', 'ES256'],
      ['ES512 naming the P-256 key', 'ES512', 'ES256'],
    ] as const)(
      'rejects %s, signed by that key, as invalid_signature',
      async (_name, alg, owner) => {
        const signer = key(owner)
        const [h0] = segments(s.issuer.mint({}, { key: signer, alg }))
        const input = `${h0}.${b64(JSON.stringify(s.issuer.claims()))}`
        const signature = signatureOf(owner, signer.privateKey, input)
        await s.target.reject(`${input}.${signature.toString('base64url')}`, 'invalid_signature')
      },
    )

    it('rejects a P-256 signature made with a P-256 attacker key over the P-384 kid', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const attacker: TestKey = { ...key('ES256'), privateKey, publicKey }
      await s.target.reject(
        s.issuer.mint(
          {},
          { key: attacker, alg: 'ES384', kid: key('ES384').kid, signWith: 'ES256' },
        ),
        'invalid_signature',
      )
    })
  })
})
