// The replay store in metrics: a value presented twice is a rejection with its own error code
// (keyward.token.verifications), a store that cannot answer is keyward.replay_store.failures.
// A claim that succeeds is an accepted verification: there is no event per claim. Real
// verifiers, a real MemoryReplayStore (one entry, so it fills) and real DPoP proofs.
import { MemoryReplayStore, type Verifier } from '@keyward/core'
import { DpopClient } from '@keyward/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keywardMetrics, type KeywardMetrics } from '../src/index.js'
import { startIssuerSetup, type IssuerSetup } from './support/issuer.js'
import { startTelemetry, type Telemetry } from './support/telemetry.js'

const BASE = 'https://api.test'
const FAILURES = 'keyward.replay_store.failures'
const VERIFICATIONS = 'keyward.token.verifications'

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

function metricsFor(): KeywardMetrics {
  return keywardMetrics({
    meter: telemetry.meter,
    issuers: [setup.issuer.issuer],
    now: setup.clock.read,
  })
}

/** `'ok'` or the rejection's code, for a request with these headers to `GET /protected`. */
async function request(verifier: Verifier, headers: Record<string, string>): Promise<string> {
  try {
    await verifier.authenticate({ method: 'GET', url: '/protected', headers })
    return 'ok'
  } catch (error) {
    return (error as { code: string }).code
  }
}

describe('replay store', () => {
  it('counts a replayed DPoP proof as a rejection, and a full store as a replay store failure', async () => {
    const { issuer, clock } = setup
    const metrics = metricsFor()
    const verifier = setup.verifier(metrics.onEvent, {
      dpop: { publicBaseUrl: BASE },
      replayStore: new MemoryReplayStore({ maxEntries: 1, now: clock.read }),
    })
    const client = await DpopClient.create('ES256', clock.read)
    const token = issuer.mint({ cnf: { jkt: client.jkt } })
    const headers = () => ({
      authorization: `DPoP ${token}`,
      dpop: client.proof({ htm: 'GET', htu: `${BASE}/protected`, token }),
    })
    const first = headers()
    expect(await request(verifier, first)).toBe('ok')
    expect(await request(verifier, first)).toBe('dpop_proof_replayed')
    // A fresh proof while the one entry is still live: the store refuses it, keyward fails closed.
    expect(await request(verifier, headers())).toBe('replay_store_unavailable')

    const got = await telemetry.collect()
    expect(got.metric(FAILURES)?.descriptor.unit).toBe('{failure}')
    // No attribute: the store's error name is the operator's business, not a series.
    expect(got.points(FAILURES)).toEqual([{ attributes: {}, value: 1 }])
    const at = { 'keyward.issuer': issuer.issuer }
    const rejected = { ...at, 'keyward.outcome': 'rejected' }
    expect(got.points(VERIFICATIONS)).toHaveLength(3)
    expect(
      got.value(VERIFICATIONS, { ...at, 'keyward.outcome': 'accepted', 'keyward.cached': false }),
    ).toBe(1)
    expect(got.value(VERIFICATIONS, { ...rejected, 'error.type': 'dpop_proof_replayed' })).toBe(1)
    expect(
      got.value(VERIFICATIONS, { ...rejected, 'error.type': 'replay_store_unavailable' }),
    ).toBe(1)
  })

  it('counts a single-use token presented twice as token_replayed, with no store failure', async () => {
    const { issuer, clock } = setup
    const metrics = metricsFor()
    const verifier = setup.verifier(metrics.onEvent, {
      singleUseTokens: true,
      replayStore: new MemoryReplayStore({ now: clock.read }),
    })
    const token = issuer.mint()
    const headers = { authorization: `Bearer ${token}` }
    expect(await request(verifier, headers)).toBe('ok')
    expect(await request(verifier, headers)).toBe('token_replayed')
    const got = await telemetry.collect()
    expect(got.points(FAILURES)).toEqual([])
    expect(
      got.value(VERIFICATIONS, {
        'keyward.issuer': issuer.issuer,
        'keyward.outcome': 'rejected',
        'error.type': 'token_replayed',
      }),
    ).toBe(1)
  })
})
