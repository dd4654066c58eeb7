// Rotation hygiene findings that record-event.test.ts does not drive: a key used the moment it
// appears (unannounced_key) and a SPIFFE bundle whose spiffe_sequence goes back
// (bundle_sequence_regressed). Each comes from a real verifier fetching from a loopback server.
import { createVerifier } from '@keyward/core'
import { startJwksServer, TestTrustDomain } from '@keyward/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keywardMetrics } from '../src/index.js'
import { FakeClock, outcome, startIssuerSetup, type IssuerSetup } from './support/issuer.js'
import { startTelemetry, type Telemetry } from './support/telemetry.js'

const FINDINGS = 'keyward.jwks.hygiene_findings'

let telemetry: Telemetry

beforeEach(async () => {
  telemetry = await startTelemetry()
})

afterEach(async () => {
  await telemetry.shutdown()
})

describe('unannounced_key', () => {
  let setup: IssuerSetup

  beforeEach(async () => {
    setup = await startIssuerSetup()
  })

  afterEach(async () => {
    await setup.close()
  })

  it('counts a token signed by a key the JWKS published moments before (no pre-publication)', async () => {
    const { issuer, clock } = setup
    const metrics = keywardMetrics({
      meter: telemetry.meter,
      issuers: [issuer.issuer],
      now: clock.read,
    })
    const verifier = setup.verifier(metrics.onEvent)
    await verifier.warmup()
    // Past the unknown-kid cooldown, so the token's unknown kid may fetch the new key set.
    clock.advance(120_000)
    await issuer.rotate()
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    // Reported once per key: its next token is no finding.
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    const got = await telemetry.collect()
    expect(got.points(FINDINGS)).toEqual([
      {
        attributes: { 'keyward.issuer': issuer.issuer, 'keyward.finding': 'unannounced_key' },
        value: 1,
      },
    ])
    expect(
      got.value('keyward.jwks.fetches', {
        'keyward.issuer': issuer.issuer,
        'keyward.outcome': 'success',
        'keyward.cause': 'unknown_kid',
      }),
    ).toBe(1)
  })

  it('counts nothing when the key was published jwks.minKeyNoticeMs before its first token', async () => {
    const { issuer, clock } = setup
    const metrics = keywardMetrics({
      meter: telemetry.meter,
      issuers: [issuer.issuer],
      now: clock.read,
    })
    const verifier = setup.verifier(metrics.onEvent, { jwks: { minKeyNoticeMs: 60_000 } })
    await verifier.warmup()
    await issuer.rotate()
    expect((await verifier.refresh())[0]?.outcome).toBe('refreshed')
    clock.advance(60_000)
    expect(await outcome(verifier, issuer.mint())).toBe('ok')
    const got = await telemetry.collect()
    expect(got.points(FINDINGS)).toEqual([])
  })
})

describe('bundle_sequence_regressed', () => {
  it('counts a SPIFFE bundle whose spiffe_sequence is lower than the one held', async () => {
    const clock = new FakeClock()
    const domain = await TestTrustDomain.create({ now: clock.read })
    const server = await startJwksServer({ jwks: () => domain.bundle(), jwksPath: '/bundle' })
    const metrics = keywardMetrics({
      meter: telemetry.meter,
      issuers: [domain.id],
      now: clock.read,
    })
    const verifier = createVerifier({
      spiffe: {
        trustDomains: [
          {
            trustDomain: domain.trustDomain,
            bundleEndpoint: server.url,
            audience: domain.audience,
          },
        ],
      },
      now: clock.read,
      onEvent: metrics.onEvent,
    })
    try {
      domain.sequence = 7
      await verifier.warmup()
      // An overlapping rotation published ahead of use: no other finding.
      await domain.rotate()
      domain.sequence = 3 // a restored bundle server, or a replayed document
      expect((await verifier.refresh())[0]?.outcome).toBe('refreshed')
      clock.advance(60_000)
      // The regressed bundle's keys are used all the same: the finding is the trail to act on.
      expect(await outcome(verifier, domain.mint('/web'))).toBe('ok')
    } finally {
      verifier.close()
      await server.close()
    }
    const got = await telemetry.collect()
    const at = { 'keyward.issuer': domain.id }
    expect(got.points(FINDINGS)).toEqual([
      { attributes: { ...at, 'keyward.finding': 'bundle_sequence_regressed' }, value: 1 },
    ])
    expect(
      got.value('keyward.token.verifications', {
        ...at,
        'keyward.outcome': 'accepted',
        'keyward.cached': false,
      }),
    ).toBe(1)
  })
})
