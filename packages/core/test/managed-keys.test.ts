import {
  startJwksServer,
  symmetricJwk,
  TestIssuer,
  type TestKey,
  thumbprintOf,
} from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier, type AdmitKey, type KeyDescription } from '../src/index.js'
import {
  FakeClock,
  outcome,
  startHarness,
  tally,
  type Harness,
  type HarnessOptions,
} from './support/jwks-harness.js'

let harness: Harness | undefined

afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/** An issuer signing with `managed`, whose JWKS also publishes `unmanaged`. */
async function twoKeys(): Promise<{ issuer: TestIssuer; managed: TestKey; unmanaged: TestKey }> {
  const clock = new FakeClock()
  const issuer = await TestIssuer.create({ alg: 'ES256', now: clock.read })
  const unmanaged = await issuer.addKey()
  return { issuer, managed: issuer.signingKey, unmanaged }
}

async function start(
  issuer: TestIssuer,
  settings: HarnessOptions['settings'],
  jwks?: HarnessOptions['jwks'],
): Promise<Harness> {
  return startHarness({ issuer, settings, jwks })
}

describe('trustedKeys', () => {
  it('verifies tokens of a listed key and refuses a published unlisted key with unknown_key', async () => {
    const { issuer, managed, unmanaged } = await twoKeys()
    harness = await start(issuer, { trustedKeys: [thumbprintOf(managed)] })
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(await outcome(harness.verifier, issuer.mint({}, { key: unmanaged }))).toBe('unknown_key')
    expect(harness.of('jwks_key_dropped')).toEqual([
      {
        type: 'jwks_key_dropped',
        issuer: issuer.issuer,
        jwksUri: harness.server.url,
        kid: unmanaged.kid,
        index: 1,
        reason: 'unmanaged_key',
        thumbprint: thumbprintOf(unmanaged),
      },
    ])
    const health = harness.verifier.health().issuers[0]
    expect(health?.keyIds).toEqual([managed.kid])
    expect(health?.droppedKeys).toEqual([
      {
        index: 1,
        kid: unmanaged.kid,
        thumbprint: thumbprintOf(unmanaged),
        reason: 'unmanaged_key',
      },
    ])
  })

  it('never refetches for tokens naming a refused key, across cooldowns', async () => {
    const { issuer, managed, unmanaged } = await twoKeys()
    harness = await start(issuer, { trustedKeys: [thumbprintOf(managed)] })
    await harness.verifier.warmup()
    const results: string[] = []
    for (let round = 0; round < 5; round++) {
      const tokens = Array.from({ length: 20 }, () => issuer.mint({}, { key: unmanaged }))
      results.push(...(await Promise.all(tokens.map((t) => outcome(harness!.verifier, t)))))
      // Past the unknown-kid cooldown each round, still within the keys' freshness.
      harness.clock.advance(31_000)
    }
    expect(tally(results)).toEqual({ unknown_key: 100 })
    expect(harness.server.jwksRequests).toBe(1)
  })

  it('still refetches for a key id the JWKS does not publish at all', async () => {
    const { issuer, managed } = await twoKeys()
    harness = await start(issuer, { trustedKeys: [thumbprintOf(managed)] })
    await harness.verifier.warmup()
    const hidden = await issuer.addKey({ publish: false })
    expect(await outcome(harness.verifier, issuer.mint({}, { key: hidden }))).toBe('unknown_key')
    expect(harness.server.jwksRequests).toBe(2)
  })

  it('verifies a listed key under any kid: the thumbprint names the key material', async () => {
    const { issuer, managed } = await twoKeys()
    const alias: TestKey = {
      ...managed,
      kid: 'alias',
      publicJwk: { ...managed.publicJwk, kid: 'alias' },
    }
    issuer.publish(alias)
    harness = await start(issuer, { trustedKeys: [thumbprintOf(managed)] })
    expect(await outcome(harness.verifier, issuer.mint({}, { key: alias }))).toBe('ok')
  })

  it('leaves the issuer without trusted keys when the JWKS publishes none of them: reported, never a crash', async () => {
    const { issuer, managed, unmanaged } = await twoKeys()
    issuer.unpublish(managed)
    harness = await start(issuer, { trustedKeys: [thumbprintOf(managed)] })
    await harness.verifier.warmup()
    expect(await outcome(harness.verifier, issuer.mint({}, { key: unmanaged }))).toBe('unknown_key')
    expect(harness.of('jwks_no_trusted_keys')).toEqual([
      {
        type: 'jwks_no_trusted_keys',
        issuer: issuer.issuer,
        jwksUri: harness.server.url,
        refusedKeys: 1,
      },
    ])
    const health = harness.verifier.health()
    expect(health.ready).toBe(false)
    expect(health.issuers[0]).toMatchObject({
      state: 'fresh',
      keyCount: 0,
      hygiene: { noTrustedKeys: true },
    })
    // The managed key comes back: trusted again at the next refresh.
    issuer.publish(managed)
    expect(await harness.verifier.refresh()).toMatchObject([{ outcome: 'refreshed', keyCount: 1 }])
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.verifier.health().ready).toBe(true)
  })

  it('is per issuer: each issuers entry has its own list', async () => {
    const a = await TestIssuer.create({ alg: 'ES256', issuer: 'https://a.test/' })
    const b = await TestIssuer.create({ alg: 'ES256', issuer: 'https://b.test/' })
    const serverA = await startJwksServer({ issuer: a })
    const serverB = await startJwksServer({ issuer: b })
    const verifier = createVerifier({
      issuers: [
        {
          issuer: a.issuer,
          audience: a.audience,
          jwksUri: serverA.url,
          trustedKeys: [thumbprintOf(a.signingKey)],
        },
        {
          issuer: b.issuer,
          audience: b.audience,
          jwksUri: serverB.url,
          trustedKeys: [thumbprintOf(a.signingKey)],
        },
      ],
    })
    try {
      expect(await outcome(verifier, a.mint())).toBe('ok')
      expect(await outcome(verifier, b.mint())).toBe('unknown_key')
    } finally {
      verifier.close()
      await Promise.all([serverA.close(), serverB.close()])
    }
  })
})

describe('admitKey', () => {
  it('is asked about each published key when a key set is adopted, never per request', async () => {
    const { issuer, managed, unmanaged } = await twoKeys()
    const asked: KeyDescription[] = []
    const admitKey: AdmitKey = (key) => {
      asked.push(key)
      return key.thumbprint === thumbprintOf(managed)
    }
    harness = await start(issuer, { admitKey })
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outcome(harness!.verifier, issuer.mint({}, { key: i % 2 === 0 ? managed : unmanaged })),
      ),
    )
    expect(tally(results)).toEqual({ ok: 25, unknown_key: 25 })
    expect(asked.map((key) => key.kid)).toEqual([managed.kid, unmanaged.kid])
    expect(harness.of('jwks_key_dropped').map((event) => event.reason)).toEqual(['unmanaged_key'])
  })

  it('is not asked again about a key it admitted, so a hook outage never drops a key in use', async () => {
    const { issuer } = await twoKeys()
    let calls = 0
    let healthy = true
    const admitKey: AdmitKey = () => {
      calls++
      if (!healthy) throw new Error('inventory service down')
      return true
    }
    harness = await start(issuer, { admitKey })
    await harness.verifier.warmup()
    expect(calls).toBe(2)
    healthy = false
    const next = await issuer.addKey()
    expect(await harness.verifier.refresh()).toMatchObject([{ outcome: 'refreshed', keyCount: 2 }])
    // Only the new key was asked, and the outage refused it alone.
    expect(calls).toBe(3)
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(await outcome(harness.verifier, issuer.mint({}, { key: next }))).toBe('unknown_key')
    expect(harness.verifier.health().issuers[0]?.droppedKeys).toEqual([
      { index: 2, kid: next.kid, thumbprint: thumbprintOf(next), reason: 'admission_failed' },
    ])
    // The hook recovers: the refused key is asked again at the next fetch.
    healthy = true
    await harness.verifier.refresh()
    expect(await outcome(harness.verifier, issuer.mint({}, { key: next }))).toBe('ok')
  })

  it('refuses a key whose hook hangs past admitKeyTimeoutMs, and keeps serving the others', async () => {
    const { issuer, managed, unmanaged } = await twoKeys()
    const admitKey: AdmitKey = (key) =>
      key.thumbprint === thumbprintOf(managed) ? true : new Promise<boolean>(() => undefined)
    harness = await start(issuer, { admitKey }, { admitKeyTimeoutMs: 50 })
    const started = performance.now()
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(performance.now() - started).toBeLessThan(2000)
    expect(await outcome(harness.verifier, issuer.mint({}, { key: unmanaged }))).toBe('unknown_key')
    expect(harness.of('jwks_key_dropped')).toMatchObject([
      { kid: unmanaged.kid, reason: 'admission_failed', thumbprint: thumbprintOf(unmanaged) },
    ])
  })

  it('puts no key material and nothing the hook threw into events', async () => {
    const { issuer, unmanaged } = await twoKeys()
    const admitKey: AdmitKey = (key) => {
      throw new Error(`refusing ${JSON.stringify(unmanaged.publicJwk)} ${key.kid ?? ''}`)
    }
    harness = await start(issuer, { admitKey })
    await harness.verifier.warmup().catch(() => undefined)
    const text = JSON.stringify([harness.events, harness.verifier.health()])
    for (const member of ['x', 'y'] as const) {
      expect(text).not.toContain(String(unmanaged.publicJwk[member]))
    }
    expect(text).not.toContain('refusing')
    expect(harness.of('jwks_key_dropped').map((event) => event.reason)).toEqual([
      'admission_failed',
      'admission_failed',
    ])
  })

  it('applies after trustedKeys: both must allow a key', async () => {
    const { issuer, managed, unmanaged } = await twoKeys()
    const asked: (string | undefined)[] = []
    harness = await start(issuer, {
      trustedKeys: [thumbprintOf(managed), thumbprintOf(unmanaged)],
      admitKey: (key) => {
        asked.push(key.kid)
        return key.kid === managed.kid
      },
    })
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(await outcome(harness.verifier, issuer.mint({}, { key: unmanaged }))).toBe('unknown_key')
    expect(asked).toEqual([managed.kid, unmanaged.kid])
  })

  it('leaves keys refused for other reasons to their own reason', async () => {
    const { issuer, managed } = await twoKeys()
    harness = await start(issuer, { trustedKeys: [thumbprintOf(managed)] })
    harness.server.setFault({ kind: 'keys', keys: [symmetricJwk('hmac'), ...issuer.jwks().keys] })
    await harness.verifier.warmup()
    expect(harness.of('jwks_key_dropped').map((e) => [e.index, e.reason])).toEqual([
      [0, 'symmetric_key'],
      [2, 'unmanaged_key'],
    ])
  })
})
