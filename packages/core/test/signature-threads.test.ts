import { testAlgorithms, type TestAlgorithm } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignatureThreads } from '../src/signature-scheduler.js'
import type { Verifier } from '../src/verifier.js'
import { createVerifier } from '../src/verifier.js'
import {
  expectInvalidToken,
  segments,
  startFixture,
  type Fixture,
  SETUP_TIMEOUT_MS,
} from './helpers.js'

const MODES: readonly SignatureThreads[] = ['inline', 'threadPool', 'auto']
const fixtures = new Map<TestAlgorithm, Fixture>()

beforeAll(async () => {
  for (const alg of testAlgorithms) fixtures.set(alg, await startFixture({ alg }))
}, SETUP_TIMEOUT_MS)

afterAll(async () => {
  for (const fixture of fixtures.values()) await fixture.close()
})

function fixture(alg: TestAlgorithm): Fixture {
  const found = fixtures.get(alg)
  if (found === undefined) throw new Error(`no fixture for ${alg}`)
  return found
}

/** Whether `promise` had already settled when it was returned. */
async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  const observe = () => {
    settled = true
  }
  promise.then(observe, observe)
  // A reaction to an already-settled promise runs before this await resumes.
  await Promise.resolve()
  const atOnce = settled
  await promise.catch(() => undefined)
  return atOnce
}

describe.each(MODES)('signatureThreads: %s', (mode) => {
  describe.each(testAlgorithms)('%s', (alg) => {
    it('accepts a valid token', async () => {
      const fx = fixture(alg)
      const verifier = fx.verifier({ signatureThreads: mode, verifiedTokenCacheSize: 0 })
      const token = fx.issuer.mint()
      expect((await verifier.verify(token)).token).toBe(token)
    })

    it('rejects another token’s signature on these claims as invalid_signature', async () => {
      const fx = fixture(alg)
      const verifier = fx.verifier({ signatureThreads: mode, verifiedTokenCacheSize: 0 })
      const [header, payload] = segments(fx.issuer.mint({ sub: 'a' }))
      const signature = segments(fx.issuer.mint({ sub: 'b' }))[2]
      await expectInvalidToken(
        verifier.verify(`${header}.${payload}.${signature}`),
        'invalid_signature',
      )
    })

    it('rejects an all-zero signature and a one-byte-short signature as invalid_signature', async () => {
      const fx = fixture(alg)
      const verifier = fx.verifier({ signatureThreads: mode, verifiedTokenCacheSize: 0 })
      await expectInvalidToken(
        verifier.verify(fx.issuer.mint({}, { signature: 'zeros' })),
        'invalid_signature',
      )
      const [header, payload, signature] = segments(fx.issuer.mint())
      const short = Buffer.from(signature, 'base64url').subarray(1).toString('base64url')
      await expectInvalidToken(
        verifier.verify(`${header}.${payload}.${short}`),
        'invalid_signature',
      )
    })
  })
})

describe('where signatures are checked', () => {
  let verifiers: Verifier[] = []

  function verifier(mode: SignatureThreads): Verifier {
    const fx = fixture('RS256')
    const created = fx.verifier({ signatureThreads: mode, verifiedTokenCacheSize: 0 })
    verifiers.push(created)
    return created
  }

  afterAll(() => {
    for (const created of verifiers) created.close()
    verifiers = []
  })

  it('inline: every verification with cached keys settles at once', async () => {
    const inline = verifier('inline')
    await inline.warmup()
    for (let i = 0; i < 100; i++) {
      expect(await settledAtOnce(inline.verify(fixture('RS256').issuer.mint()))).toBe(true)
    }
  })

  it('threadPool: every verification waits for the thread pool', async () => {
    const pooled = verifier('threadPool')
    await pooled.warmup()
    for (let i = 0; i < 10; i++) {
      expect(await settledAtOnce(pooled.verify(fixture('RS256').issuer.mint()))).toBe(false)
    }
  })

  it('auto, one at a time: inline, probing the pool after 64 tokens, then 128 and 256 more', async () => {
    const auto = verifier('auto')
    await auto.warmup()
    const { issuer } = fixture('RS256')
    const probes: number[] = []
    for (let i = 0; i < 64 + 128 + 256 + 100; i++) {
      if (!(await settledAtOnce(auto.verify(issuer.mint())))) probes.push(i)
    }
    expect(probes).toEqual([63, 63 + 128, 63 + 128 + 256])
  })

  it('auto: a probe that finds overlapping verifications brings the next probe back to 64 tokens', async () => {
    const auto = verifier('auto')
    await auto.warmup()
    const { issuer } = fixture('RS256')
    const probes: number[] = []
    const oneAtATime = async (count: number, from: number): Promise<void> => {
      for (let i = from; i < from + count; i++) {
        if (!(await settledAtOnce(auto.verify(issuer.mint())))) probes.push(i)
      }
    }
    await oneAtATime(64 + 128, 0)
    expect(probes).toEqual([63, 191])
    // The third probe is 256 tokens away; a burst started while it is out overlaps it.
    await oneAtATime(255, 192)
    const burst = Array.from({ length: 4 }, () => auto.verify(issuer.mint()))
    expect(await Promise.all(burst.map(settledAtOnce))).toEqual([false, false, false, false])
    probes.length = 0
    await oneAtATime(70, 0)
    expect(probes).toEqual([63])
  })

  it('auto, overlapping: tokens arriving while a pool check is out go to the pool too', async () => {
    const auto = verifier('auto')
    await auto.warmup()
    const { issuer } = fixture('RS256')
    for (let i = 0; i < 63; i++) await auto.verify(issuer.mint())
    // The 64th is the probe; the next ones start while it is out.
    const burst = Array.from({ length: 8 }, () => auto.verify(issuer.mint()))
    const atOnce = await Promise.all(burst.map(settledAtOnce))
    expect(atOnce).toEqual(Array.from({ length: 8 }, () => false))
    // Once the pool is idle again, verification is inline.
    expect(await settledAtOnce(auto.verify(issuer.mint()))).toBe(true)
  })

  it('auto, a burst in one turn: the first token inline, the ones started after it in the pool', async () => {
    const auto = verifier('auto')
    await auto.warmup()
    const { issuer } = fixture('RS256')
    const tokens = Array.from({ length: 6 }, () => issuer.mint())
    const burst = tokens.map((token) => auto.verify(token))
    expect(await Promise.all(burst.map(settledAtOnce))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ])
  })

  it('auto: 200 overlapping verifications, valid and forged mixed, each get the right answer', async () => {
    const auto = verifier('auto')
    const { issuer } = fixture('RS256')
    const tokens = Array.from({ length: 200 }, (_, i) => {
      const token = issuer.mint({ sub: `s${String(i)}` })
      if (i % 3 !== 0) return token
      const [header, payload] = segments(token)
      return `${header}.${payload}.${segments(issuer.mint())[2]}`
    })
    const outcomes = await Promise.all(
      tokens.map((token) =>
        auto.verify(token).then(
          (auth) => auth.subject,
          (error: unknown) => (error as { code: string }).code,
        ),
      ),
    )
    expect(outcomes).toEqual(
      tokens.map((_, i) => (i % 3 === 0 ? 'invalid_signature' : `s${String(i)}`)),
    )
  })

  it('rejects any other value as a TypeError naming the option', () => {
    const { issuer, server } = fixture('RS256')
    expect(() =>
      createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        signatureThreads: 'workers' as SignatureThreads,
      }),
    ).toThrow(new TypeError('"signatureThreads" must be "auto", "inline" or "threadPool"'))
  })
})
