import type { Counter, Histogram, Meter } from '@opentelemetry/api'

/**
 * Latency buckets in seconds: a cached verification takes microseconds, an RSA or EC signature
 * check tens to hundreds of microseconds, one that waits for a JWKS fetch milliseconds to seconds.
 */
const VERIFICATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
]
/** A JWKS fetch: a loopback answer in a millisecond, a slow issuer up to the fetch timeout. */
const FETCH_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The counters and histograms events feed; names and units are listed in the README. */
export interface EventInstruments {
  readonly verifications: Counter
  readonly verificationDuration: Histogram
  readonly fetches: Counter
  readonly fetchDuration: Histogram
  readonly keyChanges: Counter
  readonly keysDropped: Counter
  readonly hygieneFindings: Counter
  readonly revocations: Counter
  readonly metadataChanges: Counter
  readonly stalePeriods: Counter
  readonly hookFailures: Counter
  readonly replayStoreFailures: Counter
}

export function createEventInstruments(meter: Meter): EventInstruments {
  return {
    verifications: meter.createCounter('keyward.token.verifications', {
      description: 'Token verifications (verify, authenticate) by outcome and error code.',
      unit: '{verification}',
    }),
    verificationDuration: meter.createHistogram('keyward.token.verification.duration', {
      description: 'Time from a verify or authenticate call to its answer.',
      unit: 's',
      advice: { explicitBucketBoundaries: VERIFICATION_BUCKETS },
    }),
    fetches: meter.createCounter('keyward.jwks.fetches', {
      description: 'JWKS fetches by outcome (success, not_modified, failure), cause and reason.',
      unit: '{fetch}',
    }),
    fetchDuration: meter.createHistogram('keyward.jwks.fetch.duration', {
      description: 'Duration of JWKS fetches.',
      unit: 's',
      advice: { explicitBucketBoundaries: FETCH_BUCKETS },
    }),
    keyChanges: meter.createCounter('keyward.jwks.key_changes', {
      description: 'Keys that started (added) or stopped (removed, with the reason) verifying.',
      unit: '{key}',
    }),
    keysDropped: meter.createCounter('keyward.jwks.keys_dropped', {
      description: 'Published JWKS keys refused, by reason (unmanaged_key, weak_rsa_key...).',
      unit: '{key}',
    }),
    hygieneFindings: meter.createCounter('keyward.jwks.hygiene_findings', {
      description:
        'Rotation hygiene findings: rotation_overdue, unannounced_key, key_set_replaced, no_trusted_keys, bundle_sequence_regressed.',
      unit: '{finding}',
    }),
    revocations: meter.createCounter('keyward.jwks.revocations', {
      description: 'Operator revocations (revokeKey) and restorations (restoreKey).',
      unit: '{revocation}',
    }),
    metadataChanges: meter.createCounter('keyward.issuer.metadata_changes', {
      description: 'A changed jwks_uri in issuer metadata, followed or refused.',
      unit: '{change}',
    }),
    stalePeriods: meter.createCounter('keyward.jwks.stale_periods', {
      description: 'Stale periods that ended: recovered, or expired after maxStaleMs.',
      unit: '{period}',
    }),
    hookFailures: meter.createCounter('keyward.token.hook_failures', {
      description: 'A verifier hook gave no usable answer (threw, timeout, not_boolean).',
      unit: '{failure}',
    }),
    replayStoreFailures: meter.createCounter('keyward.replay_store.failures', {
      description: 'Requests refused with 503 because the replay store could not answer.',
      unit: '{failure}',
    }),
  }
}
