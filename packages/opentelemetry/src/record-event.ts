import type { KeywardEvent } from '@keyward/core'
import type { Attributes } from '@opentelemetry/api'
import type { EventInstruments } from './instruments.js'
import type { IssuerAttribute } from './issuer-attribute.js'

/** Attribute names besides `keyward.issuer`. `error.type` is OpenTelemetry's own convention. */
const OUTCOME = 'keyward.outcome'
const CACHED = 'keyward.cached'
const ERROR_TYPE = 'error.type'
const CAUSE = 'keyward.cause'
const REASON = 'keyward.reason'
const CHANGE = 'keyward.change'
const FINDING = 'keyward.finding'
const ACTION = 'keyward.action'

/**
 * Turns one keyward event into measurements. Every attribute value comes from a closed set
 * (outcomes, error codes, causes, reasons) or from the allowed issuers: never a kid, a client
 * id or a URL, which a token or a JWKS can make up.
 */
export function recordEvent(
  event: KeywardEvent,
  meters: EventInstruments,
  issuers: IssuerAttribute,
): void {
  switch (event.type) {
    case 'token_verified': {
      const attributes = {
        ...issuers.of(event.issuer),
        [OUTCOME]: 'accepted',
        [CACHED]: event.cached,
      }
      meters.verifications.add(1, attributes)
      meters.verificationDuration.record(event.durationMs / 1000, attributes)
      return
    }
    case 'token_rejected': {
      const attributes = {
        ...issuers.of(event.issuer),
        [OUTCOME]: 'rejected',
        [ERROR_TYPE]: event.code,
      }
      meters.verifications.add(1, attributes)
      meters.verificationDuration.record(event.durationMs / 1000, attributes)
      return
    }
    case 'jwks_fetch_success': {
      const outcome = event.notModified ? 'not_modified' : 'success'
      fetched(meters, { ...issuers.of(event.issuer), [OUTCOME]: outcome }, event)
      return
    }
    case 'jwks_fetch_failure': {
      const attributes = {
        ...issuers.of(event.issuer),
        [OUTCOME]: 'failure',
        [REASON]: event.reason,
      }
      fetched(meters, attributes, event)
      return
    }
    case 'jwks_key_added':
      meters.keyChanges.add(1, { ...issuers.of(event.issuer), [CHANGE]: 'added' })
      return
    case 'jwks_key_removed':
      meters.keyChanges.add(1, {
        ...issuers.of(event.issuer),
        [CHANGE]: 'removed',
        [REASON]: event.reason,
      })
      return
    case 'jwks_key_dropped':
      meters.keysDropped.add(1, { ...issuers.of(event.issuer), [REASON]: event.reason })
      return
    case 'jwks_key_drop_summary':
      for (const [reason, count] of Object.entries(event.reasons)) {
        meters.keysDropped.add(count, { ...issuers.of(event.issuer), [REASON]: reason })
      }
      return
    case 'jwks_key_rotation_overdue':
      finding(meters, issuers.of(event.issuer), 'rotation_overdue')
      return
    case 'jwks_key_unannounced':
      finding(meters, issuers.of(event.issuer), 'unannounced_key')
      return
    case 'jwks_key_set_replaced':
      finding(meters, issuers.of(event.issuer), 'key_set_replaced')
      return
    case 'jwks_no_trusted_keys':
      finding(meters, issuers.of(event.issuer), 'no_trusted_keys')
      return
    case 'spiffe_bundle_sequence_regressed':
      finding(meters, issuers.of(event.issuer), 'bundle_sequence_regressed')
      return
    case 'jwks_key_revoked':
      meters.revocations.add(1, { ...issuers.of(event.issuer), [ACTION]: 'revoked' })
      return
    case 'jwks_key_restored':
      meters.revocations.add(1, { ...issuers.of(event.issuer), [ACTION]: 'restored' })
      return
    case 'issuer_metadata_changed':
      meters.metadataChanges.add(1, { ...issuers.of(event.issuer), [OUTCOME]: event.outcome })
      return
    case 'jwks_stale_end':
      meters.stalePeriods.add(1, { ...issuers.of(event.issuer), [OUTCOME]: event.outcome })
      return
    case 'token_hook_failed':
      meters.hookFailures.add(1, { ...issuers.of(event.issuer), [REASON]: event.reason })
      return
    case 'replay_store_unavailable':
      meters.replayStoreFailures.add(1)
      return
    default:
      // jwks_fetch_start, jwks_keys_rotated (jwks_key_added / removed count the same keys by
      // thumbprint), jwks_stale_begin (the staleness gauge), spiffe_bundle_updated,
      // issuer_resolver_failed, tenant_issuer_evicted: nothing to count.
      return
  }
}

function fetched(
  meters: EventInstruments,
  attributes: Attributes,
  event: { readonly cause: string; readonly durationMs: number },
): void {
  meters.fetches.add(1, { ...attributes, [CAUSE]: event.cause })
  meters.fetchDuration.record(event.durationMs / 1000, attributes)
}

function finding(meters: EventInstruments, issuer: Attributes, name: string): void {
  meters.hygieneFindings.add(1, { ...issuer, [FINDING]: name })
}
