import { channel, type Channel } from 'node:diagnostics_channel'
import type { KeywardErrorCode } from './errors.js'
import type { FetchFailureReason } from './fetch-json.js'
import type { HookFailureReason } from './hook-answer.js'
import type { KeyDropReason } from './jwk-import.js'

interface IssuerEvent {
  /** The configured issuer the keys belong to. */
  readonly issuer: string
  readonly jwksUri: string
}

/** Why a key fetch started. `manual`: `verifier.refresh()`. */
export type FetchCause = 'initial' | 'warmup' | 'scheduled' | 'retry' | 'unknown_kid' | 'manual'

/**
 * Why a key stopped verifying: the JWKS no longer publishes it, the operator revoked it, or the
 * keys expired (stale beyond `maxStaleMs`).
 */
export type KeyRemovalReason = 'unpublished' | 'revoked' | 'expired'

/** A key named in an event: its clipped `kid` and its RFC 7638 thumbprint, never its material. */
interface KeyEvent extends IssuerEvent {
  readonly kid: string | undefined
  readonly thumbprint: string
}

/**
 * Everything keyward reports, through `onEvent` and on `node:diagnostics_channel` as
 * `keyward:<type>`. Events carry issuers, key ids, reasons and counts; never a token or a
 * signature.
 */
export type KeywardEvent =
  | (IssuerEvent & { readonly type: 'jwks_fetch_start'; readonly cause: FetchCause })
  | (IssuerEvent & {
      readonly type: 'jwks_fetch_success'
      readonly cause: FetchCause
      /** A 304 answer: the cached keys were confirmed, not replaced. */
      readonly notModified: boolean
      readonly keyIds: readonly string[]
      readonly durationMs: number
      /** How long the keys are fresh, after `Cache-Control` and the configured bounds. */
      readonly freshForMs: number
    })
  | (IssuerEvent & {
      readonly type: 'jwks_fetch_failure'
      readonly cause: FetchCause
      readonly reason: FetchFailureReason
      readonly httpStatus: number | undefined
      /** The URL that failed: the JWKS, or an issuer metadata document during discovery. */
      readonly url: string | undefined
      /**
       * A configuration problem rather than an outage (a 400/401/403/404/405/406/410 answer, a
       * redirect, a body that is not the expected JSON document, an `issuer` mismatch, a refused
       * `jwks_uri`): requests without keys get `jwks_misconfigured` instead of `jwks_unavailable`.
       */
      readonly misconfigured: boolean
      /** For `issuer_mismatch`: the configured issuer. */
      readonly expected: string | undefined
      /** For `issuer_mismatch`: the `issuer` the metadata document names. */
      readonly received: string | undefined
      readonly durationMs: number
      readonly consecutiveFailures: number
      /** When the next attempt may happen, in milliseconds from now. */
      readonly retryInMs: number
      /** Whether last-known-good keys are still being served. */
      readonly servingLastKnownGood: boolean
    })
  | (IssuerEvent & {
      readonly type: 'jwks_key_dropped'
      readonly kid: string | undefined
      readonly index: number
      readonly reason: KeyDropReason
      /** For a usable key refused by the key policy or a revocation. */
      readonly thumbprint: string | undefined
    })
  | (IssuerEvent & {
      /**
       * One fetch dropped more keys than get an event each (`jwks_key_dropped`, the first
       * {@link MAX_KEY_DROP_EVENTS}): the rest, counted, so a hostile JWKS cannot flood the logs.
       */
      readonly type: 'jwks_key_drop_summary'
      /** Keys this fetch dropped without a `jwks_key_dropped` event of their own. */
      readonly omitted: number
      /** Those keys, counted by reason. */
      readonly reasons: Readonly<Partial<Record<KeyDropReason, number>>>
    })
  | (IssuerEvent & {
      readonly type: 'jwks_keys_rotated'
      readonly added: readonly string[]
      readonly removed: readonly string[]
    })
  | (KeyEvent & {
      /** A key started verifying: fetched (the first set included), or restored. */
      readonly type: 'jwks_key_added'
      readonly kty: 'RSA' | 'EC' | 'OKP'
      readonly crv: string | undefined
      readonly alg: string | undefined
    })
  | (KeyEvent & {
      /** A key stopped verifying. */
      readonly type: 'jwks_key_removed'
      readonly reason: KeyRemovalReason
    })
  | (IssuerEvent & {
      /** A fetched JWKS replaced every trusted key at once: a rotation without overlap. */
      readonly type: 'jwks_key_set_replaced'
      /** Thumbprints. */
      readonly added: readonly string[]
      readonly removed: readonly string[]
    })
  | (IssuerEvent & {
      /**
       * The key policy (`trustedKeys`, `admitKey`) or the revocations leave this issuer no
       * trusted key: its tokens are refused (`unknown_key`) until that changes.
       */
      readonly type: 'jwks_no_trusted_keys'
      /** Usable keys the JWKS publishes that the policy or a revocation refuses. */
      readonly refusedKeys: number
    })
  | (KeyEvent & {
      /** A key has been trusted for longer than `jwks.maxKeyAgeMs`; reported once per key. */
      readonly type: 'jwks_key_rotation_overdue'
      /** Since this verifier first fetched it. */
      readonly trustedForMs: number
      readonly maxKeyAgeMs: number
    })
  | (KeyEvent & {
      /**
       * The first token signed with a key came within `jwks.minKeyNoticeMs` of its first
       * sighting: the issuer rotated without publishing the key ahead of use.
       */
      readonly type: 'jwks_key_unannounced'
      /** How long the key had been known when its first token arrived. */
      readonly noticeMs: number
      readonly minKeyNoticeMs: number
    })
  | (IssuerEvent & {
      /** `verifier.revokeKey()` put a revocation in force. */
      readonly type: 'jwks_key_revoked'
      /** The selector given: one of `kid` and `thumbprint`. */
      readonly kid: string | undefined
      readonly thumbprint: string | undefined
      /** Trusted keys it removed at once. */
      readonly removedKeys: number
    })
  | (IssuerEvent & {
      /** `verifier.restoreKey()` lifted a revocation. */
      readonly type: 'jwks_key_restored'
      readonly kid: string | undefined
      readonly thumbprint: string | undefined
      /** Keys still published (and admitted) that verify again at once. */
      readonly restoredKeys: number
    })
  | (IssuerEvent & {
      readonly type: 'jwks_stale_begin'
      /** When the keys stopped being fresh (epoch milliseconds). */
      readonly staleSince: number
    })
  | (IssuerEvent & {
      readonly type: 'jwks_stale_end'
      readonly staleForMs: number
      /** `recovered`: a fetch succeeded; `expired`: `maxStaleMs` passed and the keys were dropped. */
      readonly outcome: 'recovered' | 'expired'
    })
  | {
      /**
       * Issuer metadata names another `jwks_uri` than the one in use. `followed`: a change
       * within its origin, or to the issuer's origin or one in `jwksOrigins`; keys now come
       * from `jwksUri`. `refused`: a move to any other origin (reported once per refused URI);
       * `previousJwksUri` keeps serving as last-known-good, and `health()` shows
       * `refusedJwksUri`.
       */
      readonly type: 'issuer_metadata_changed'
      readonly issuer: string
      readonly previousJwksUri: string
      readonly jwksUri: string
      readonly outcome: 'followed' | 'refused'
    }
  | (IssuerEvent & {
      /**
       * A SPIFFE bundle with another `spiffe_sequence` than the one held is in use (the first
       * bundle included). `issuer` is the trust domain's ID, `spiffe://<trust domain>`.
       */
      readonly type: 'spiffe_bundle_updated'
      readonly trustDomain: string
      /** `undefined` when the bundle has none (SPIFFE Trust Domain and Bundle §4.1.1: SHOULD). */
      readonly sequence: number | undefined
      readonly previousSequence: number | undefined
      /** The bundle's `spiffe_refresh_hint` in milliseconds, before the configured bounds. */
      readonly refreshHintMs: number | undefined
    })
  | (IssuerEvent & {
      /**
       * A SPIFFE bundle came with a lower `spiffe_sequence` than the one held: a rollback (a
       * restored server, a replayed document). Its keys are used all the same (the endpoint is
       * authenticated, and refusing would strand the verifier after a legitimate reset); this
       * event is the trail to act on (`revokeKey`).
       */
      readonly type: 'spiffe_bundle_sequence_regressed'
      readonly trustDomain: string
      readonly sequence: number
      readonly previousSequence: number
    })
  | {
      /**
       * The `issuers` resolver function threw (`threw`) or answered something other than
       * nothing or valid issuer options (`invalid_answer`) for a token's `iss`: the token was
       * refused with `invalid_issuer`. What it threw is not reported.
       */
      readonly type: 'issuer_resolver_failed'
      /** The token's unverified `iss`, truncated. */
      readonly issuer: string
      readonly reason: 'threw' | 'invalid_answer'
    }
  | {
      /**
       * A tenant issuer left the cache (`tenantCacheSize`, least recently used first): its key
       * source is closed; its next token starts again with a fetch.
       */
      readonly type: 'tenant_issuer_evicted'
      readonly issuer: string
    }
  | {
      /**
       * The replay store could not claim a proof or token `jti` (unreachable, timed out, circuit
       * open, full): the request was refused with 503 `replay_store_unavailable` (fail closed).
       */
      readonly type: 'replay_store_unavailable'
      /** The store error's `code` or `name`, clipped: never its message. */
      readonly reason: string
    }
  | {
      /**
       * A token was accepted (`verify`, or `authenticate` with a token). Emitted, and the
       * clock read, only while something listens.
       */
      readonly type: 'token_verified'
      /** The token's issuer, verified: one of the configured issuers, or a tenant's. */
      readonly issuer: string
      readonly kid: string | undefined
      /** The verified-token cache answered: no signature was checked. */
      readonly cached: boolean
      /** From the call to the answer, hooks, DPoP proof and replay store included. */
      readonly durationMs: number
    }
  | {
      readonly type: 'token_rejected'
      readonly code: KeywardErrorCode
      /** Unverified values from the token, truncated, for correlation only. */
      readonly issuer: string | undefined
      readonly kid: string | undefined
      readonly jti: string | undefined
      readonly clientId: string | undefined
      /** From the call to the answer (a JWKS fetch it waited for included). */
      readonly durationMs: number
    }
  | {
      /**
       * A verifier hook gave no usable answer (it threw or rejected, answered something other
       * than a boolean, or did not answer within `hookTimeoutMs`); the request was refused as
       * the hook's documentation says (`validate`: 401 `invalid_claim`; `isRevoked`: 503
       * `revocation_unavailable`). Carries the verified token's issuer, `jti` and client.
       */
      readonly type: 'token_hook_failed'
      readonly hook: 'validate' | 'isRevoked'
      readonly reason: HookFailureReason
      readonly issuer: string
      readonly jti: string | undefined
      readonly clientId: string | undefined
    }

export type KeywardEventType = KeywardEvent['type']

/** Every `diagnostics_channel` name keyward publishes on. */
export const EVENT_CHANNELS: Readonly<Record<KeywardEventType, string>> = {
  jwks_fetch_start: 'keyward:jwks_fetch_start',
  jwks_fetch_success: 'keyward:jwks_fetch_success',
  jwks_fetch_failure: 'keyward:jwks_fetch_failure',
  jwks_key_dropped: 'keyward:jwks_key_dropped',
  jwks_key_drop_summary: 'keyward:jwks_key_drop_summary',
  jwks_keys_rotated: 'keyward:jwks_keys_rotated',
  jwks_key_added: 'keyward:jwks_key_added',
  jwks_key_removed: 'keyward:jwks_key_removed',
  jwks_key_set_replaced: 'keyward:jwks_key_set_replaced',
  jwks_no_trusted_keys: 'keyward:jwks_no_trusted_keys',
  jwks_key_rotation_overdue: 'keyward:jwks_key_rotation_overdue',
  jwks_key_unannounced: 'keyward:jwks_key_unannounced',
  jwks_key_revoked: 'keyward:jwks_key_revoked',
  jwks_key_restored: 'keyward:jwks_key_restored',
  jwks_stale_begin: 'keyward:jwks_stale_begin',
  jwks_stale_end: 'keyward:jwks_stale_end',
  issuer_metadata_changed: 'keyward:issuer_metadata_changed',
  issuer_resolver_failed: 'keyward:issuer_resolver_failed',
  tenant_issuer_evicted: 'keyward:tenant_issuer_evicted',
  spiffe_bundle_updated: 'keyward:spiffe_bundle_updated',
  spiffe_bundle_sequence_regressed: 'keyward:spiffe_bundle_sequence_regressed',
  replay_store_unavailable: 'keyward:replay_store_unavailable',
  token_verified: 'keyward:token_verified',
  token_rejected: 'keyward:token_rejected',
  token_hook_failed: 'keyward:token_hook_failed',
}

const channels = new Map<string, Channel>()
function channelFor(type: KeywardEventType): Channel {
  let found = channels.get(type)
  if (found === undefined) {
    found = channel(EVENT_CHANNELS[type])
    channels.set(type, found)
  }
  return found
}

/**
 * Delivers events to `onEvent` and diagnostics channels. A throwing `onEvent` is ignored; a
 * throwing channel subscriber is beyond reach: Node catches it and rethrows it on the next tick
 * as an uncaught exception (documented in SECURITY.md and the README).
 */
export class EventSink {
  readonly #onEvent: ((event: KeywardEvent) => void) | undefined

  constructor(onEvent: ((event: KeywardEvent) => void) | undefined) {
    this.#onEvent = onEvent
  }

  /** Whether anyone listens, so callers can skip building an event on hot paths. */
  wants(type: KeywardEventType): boolean {
    return this.#onEvent !== undefined || channelFor(type).hasSubscribers
  }

  emit(event: KeywardEvent): void {
    try {
      this.#onEvent?.(event)
    } catch {
      // A monitoring hook must never change an authentication outcome.
    }
    const target = channelFor(event.type)
    if (target.hasSubscribers) target.publish(event)
  }
}

/** `jwks_key_dropped` events per fetch; further drops are counted in `jwks_key_drop_summary`. */
export const MAX_KEY_DROP_EVENTS = 20

/**
 * Caps untrusted strings copied into events and `health()` (key ids, discovered URLs, unverified
 * token values), so a hostile token or JWKS cannot flood a log line.
 */
export function clip(value: string, max?: number): string
export function clip(value: unknown, max?: number): string | undefined
export function clip(value: unknown, max = 128): string | undefined {
  if (typeof value !== 'string') return undefined
  return value.length > max ? `${value.slice(0, max)}…` : value
}

/** URLs get more room than key ids: real ones are long, and a cut one is harder to recognise. */
export function clipUrl(url: string): string {
  return clip(url, 512)
}
