import { createVerifier } from '@keyward/core'
import { startJwksServer, TestIssuer, thumbprintOf } from '@keyward/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keywardMetrics, type KeywardMetrics } from '../src/index.js'
import { outcome, startIssuerSetup, type IssuerSetup } from './support/issuer.js'
import { startTelemetry, type Telemetry } from './support/telemetry.js'

let setup: IssuerSetup
let telemetry: Telemetry

beforeEach(async () => {
  setup = await startIssuerSetup()
  telemetry = await startTelemetry()
})

afterEach(async () => {
  await setup.close()
  await telemetry.shutdown()
})

const HOUR = 3_600_000

function metricsFor(issuers?: readonly string[]): KeywardMetrics {
  return keywardMetrics({ meter: telemetry.meter, issuers, now: setup.clock.read })
}

describe('verifications', () => {
  it('counts accepted and rejected tokens by outcome, error code and issuer, with their latency', async () => {
    const iss = setup.issuer.issuer
    const metrics = metricsFor([iss])
    const verifier = setup.verifier(metrics.onEvent)
    const token = setup.issuer.mint()
    // The verified-token cache admits a token on its second verification.
    for (let i = 0; i < 3; i++) expect(await outcome(verifier, token)).toBe('ok')
    expect(await outcome(verifier, setup.issuer.mint({ aud: 'https://other.api' }))).toBe(
      'invalid_audience',
    )
    expect(await outcome(verifier, setup.issuer.mint({}, { signature: 'zeros' }))).toBe(
      'invalid_signature',
    )
    const got = await telemetry.collect()
    const name = 'keyward.token.verifications'
    const issuer = { 'keyward.issuer': iss }
    const accepted = { ...issuer, 'keyward.outcome': 'accepted' }
    expect(got.value(name, { ...accepted, 'keyward.cached': false })).toBe(2)
    expect(got.value(name, { ...accepted, 'keyward.cached': true })).toBe(1)
    const rejected = { ...issuer, 'keyward.outcome': 'rejected' }
    expect(got.value(name, { ...rejected, 'error.type': 'invalid_audience' })).toBe(1)
    expect(got.value(name, { ...rejected, 'error.type': 'invalid_signature' })).toBe(1)
    expect(got.points(name)).toHaveLength(4)
    const latency = 'keyward.token.verification.duration'
    expect(got.metric(latency)?.descriptor.unit).toBe('s')
    expect(got.value(latency, { ...accepted, 'keyward.cached': false })).toBe(2)
    expect(got.value(latency, { ...rejected, 'error.type': 'invalid_signature' })).toBe(1)
    expect(got.sum(latency, { ...accepted, 'keyward.cached': true })).toBeGreaterThanOrEqual(0)
  })

  it('counts a token naming an unconfigured issuer without the attribute, so no caller creates series', async () => {
    const metrics = metricsFor([setup.issuer.issuer])
    const verifier = setup.verifier(metrics.onEvent)
    for (let i = 0; i < 3; i++) {
      const forged = setup.issuer.mint({ iss: `https://attacker-${String(i)}.example/` })
      expect(await outcome(verifier, forged)).toBe('invalid_issuer')
    }
    const got = await telemetry.collect()
    expect(got.points('keyward.token.verifications')).toEqual([
      {
        attributes: { 'keyward.outcome': 'rejected', 'error.type': 'invalid_issuer' },
        value: 3,
      },
    ])
  })

  it('names no issuer until one is given or observed, then the observed verifier’s', async () => {
    const metrics = metricsFor()
    const verifier = setup.verifier(metrics.onEvent)
    expect(await outcome(verifier, setup.issuer.mint())).toBe('ok')
    metrics.observe(verifier)
    expect(await outcome(verifier, setup.issuer.mint())).toBe('ok')
    const got = await telemetry.collect()
    const accepted = { 'keyward.outcome': 'accepted', 'keyward.cached': false }
    expect(got.value('keyward.token.verifications', accepted)).toBe(1)
    expect(
      got.value('keyward.token.verifications', {
        ...accepted,
        'keyward.issuer': setup.issuer.issuer,
      }),
    ).toBe(1)
  })
})

describe('JWKS fetches', () => {
  it('counts fetches by outcome, cause and reason, with their duration', async () => {
    const iss = setup.issuer.issuer
    const metrics = metricsFor([iss])
    const verifier = setup.verifier(metrics.onEvent)
    setup.server.setValidators({ etag: true })
    await verifier.warmup()
    expect((await verifier.refresh())[0]?.outcome).toBe('refreshed')
    setup.server.setFault({ kind: 'status', status: 503 })
    expect((await verifier.refresh())[0]?.outcome).toBe('failed')
    const got = await telemetry.collect()
    const issuer = { 'keyward.issuer': iss }
    const fetches = 'keyward.jwks.fetches'
    expect(got.points(fetches)).toHaveLength(3)
    expect(
      got.value(fetches, { ...issuer, 'keyward.outcome': 'success', 'keyward.cause': 'warmup' }),
    ).toBe(1)
    expect(
      got.value(fetches, {
        ...issuer,
        'keyward.outcome': 'not_modified',
        'keyward.cause': 'manual',
      }),
    ).toBe(1)
    expect(
      got.value(fetches, {
        ...issuer,
        'keyward.outcome': 'failure',
        'keyward.cause': 'manual',
        'keyward.reason': 'http_status',
      }),
    ).toBe(1)
    const duration = 'keyward.jwks.fetch.duration'
    expect(got.value(duration, { ...issuer, 'keyward.outcome': 'success' })).toBe(1)
    expect(
      got.value(duration, {
        ...issuer,
        'keyward.outcome': 'failure',
        'keyward.reason': 'http_status',
      }),
    ).toBe(1)
  })
})

describe('key governance', () => {
  it('counts an unmanaged key dropped, a revocation, a restoration and the key changes they make', async () => {
    const { issuer } = setup
    const managed = issuer.signingKey
    const unmanaged = await issuer.addKey()
    const metrics = metricsFor([issuer.issuer])
    const verifier = setup.verifier(metrics.onEvent, { trustedKeys: [thumbprintOf(managed)] })
    expect(await outcome(verifier, issuer.mint({}, { key: unmanaged }))).toBe('unknown_key')
    expect(verifier.revokeKey({ issuer: issuer.issuer, kid: managed.kid }).revoked).toBe(true)
    expect(await outcome(verifier, issuer.mint())).toBe('unknown_key')
    expect(verifier.restoreKey({ issuer: issuer.issuer, kid: managed.kid }).restored).toBe(true)
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    const got = await telemetry.collect()
    const at = { 'keyward.issuer': issuer.issuer }
    expect(got.points('keyward.jwks.keys_dropped')).toEqual([
      { attributes: { ...at, 'keyward.reason': 'unmanaged_key' }, value: 1 },
    ])
    const changes = 'keyward.jwks.key_changes'
    expect(got.value(changes, { ...at, 'keyward.change': 'added' })).toBe(2)
    expect(
      got.value(changes, { ...at, 'keyward.change': 'removed', 'keyward.reason': 'revoked' }),
    ).toBe(1)
    const revocations = 'keyward.jwks.revocations'
    expect(got.value(revocations, { ...at, 'keyward.action': 'revoked' })).toBe(1)
    expect(got.value(revocations, { ...at, 'keyward.action': 'restored' })).toBe(1)
    expect(
      got.value('keyward.jwks.hygiene_findings', {
        ...at,
        'keyward.finding': 'no_trusted_keys',
      }),
    ).toBe(1)
    expect(
      got.value('keyward.token.verifications', {
        ...at,
        'keyward.outcome': 'rejected',
        'error.type': 'unknown_key',
      }),
    ).toBe(2)
  })

  it('counts rotation hygiene findings: a key set replaced at once, then an overdue rotation', async () => {
    const { issuer, clock } = setup
    const metrics = metricsFor([issuer.issuer])
    const verifier = setup.verifier(metrics.onEvent, { jwks: { maxKeyAgeMs: HOUR } })
    await verifier.warmup()
    await issuer.rotate({ retireOld: true })
    await verifier.refresh()
    clock.advance(HOUR + 1)
    await verifier.refresh()
    const got = await telemetry.collect()
    const at = { 'keyward.issuer': issuer.issuer }
    const findings = 'keyward.jwks.hygiene_findings'
    expect(got.value(findings, { ...at, 'keyward.finding': 'key_set_replaced' })).toBe(1)
    expect(got.value(findings, { ...at, 'keyward.finding': 'rotation_overdue' })).toBe(1)
    expect(
      got.value('keyward.jwks.key_changes', {
        ...at,
        'keyward.change': 'removed',
        'keyward.reason': 'unpublished',
      }),
    ).toBe(1)
  })
})

describe('issuer metadata', () => {
  it('counts a jwks_uri moved to another origin as a refused metadata change', async () => {
    const ref: { issuer?: TestIssuer; jwksUri?: string } = {}
    const home = await startJwksServer({
      jwks: () => ref.issuer?.jwks(),
      discoveryDocument: () => ({ issuer: ref.issuer?.issuer, jwks_uri: ref.jwksUri }),
    })
    const mirror = await startJwksServer({ jwks: () => ref.issuer?.jwks() })
    const issuer = await TestIssuer.create({ alg: 'ES256', issuer: home.origin })
    ref.issuer = issuer
    ref.jwksUri = home.url
    const metrics = metricsFor([issuer.issuer])
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      onEvent: metrics.onEvent,
      logger: { warn: () => undefined },
    })
    try {
      await verifier.warmup()
      ref.jwksUri = mirror.url
      await verifier.refresh()
      expect(await outcome(verifier, issuer.mint())).toBe('ok')
    } finally {
      verifier.close()
      await Promise.all([home.close(), mirror.close()])
    }
    const got = await telemetry.collect()
    expect(got.points('keyward.issuer.metadata_changes')).toEqual([
      { attributes: { 'keyward.issuer': issuer.issuer, 'keyward.outcome': 'refused' }, value: 1 },
    ])
    expect(mirror.jwksRequests).toBe(0)
  })
})

describe('hooks', () => {
  it('counts a validate hook that throws, and the rejection it causes', async () => {
    const iss = setup.issuer.issuer
    const metrics = metricsFor([iss])
    const verifier = setup.verifier(metrics.onEvent, {
      validate: () => {
        throw new Error('policy service down')
      },
    })
    const code = await outcome(verifier, setup.issuer.mint())
    const got = await telemetry.collect()
    expect(got.points('keyward.token.hook_failures')).toEqual([
      { attributes: { 'keyward.issuer': iss, 'keyward.reason': 'threw' }, value: 1 },
    ])
    expect(got.points('keyward.token.verifications')).toEqual([
      {
        attributes: { 'keyward.issuer': iss, 'keyward.outcome': 'rejected', 'error.type': code },
        value: 1,
      },
    ])
  })
})

describe('a broken listener', () => {
  it('never throws out of onEvent, whatever it is given', () => {
    const metrics = metricsFor()
    expect(() => {
      metrics.onEvent(null as never)
    }).not.toThrow()
  })
})
