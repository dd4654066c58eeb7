import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { symmetricJwk, type TestKey, thumbprintOf } from '@keyward/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createVerifier,
  EVENT_CHANNELS,
  type KeywardEvent,
  type KeywardEventType,
} from '../src/index.js'
import { outcome, startHarness, type Harness } from './support/jwks-harness.js'
import { CORE_INDEX, runScript } from './support/node-script.js'

const TYPES = Object.keys(EVENT_CHANNELS) as KeywardEventType[]
let harness: Harness | undefined
const subscriptions: [string, (message: unknown) => void][] = []

function listen(onMessage: (message: unknown, name: string) => void): void {
  for (const name of Object.values(EVENT_CHANNELS)) {
    const handler = (message: unknown) => {
      onMessage(message, name)
    }
    subscribe(name, handler)
    subscriptions.push([name, handler])
  }
}

afterEach(async () => {
  for (const [name, handler] of subscriptions.splice(0)) unsubscribe(name, handler)
  await harness?.close()
  harness = undefined
})

/**
 * Warm-up, a dropped key, a rotation without pre-publication, an outage, a recovery past
 * `maxKeyAgeMs` (600 s here), a rejected token, then every trusted key revoked and restored, and
 * a JWKS that replaces every key at once, fetched on demand.
 */
async function everyKindOfEvent(
  h: Harness,
): Promise<{ first: TestKey; next: TestKey; replacement: TestKey }> {
  const { clock, server, issuer, verifier } = h
  const first = issuer.signingKey
  await verifier.warmup()
  const next = await issuer.rotate()
  // 21 dropped keys: 20 events of their own, then a summary.
  const junk = Array.from({ length: 20 }, () => 'junk')
  server.setFault({ kind: 'keys', keys: [...issuer.jwks().keys, symmetricJwk('hmac'), ...junk] })
  expect(await outcome(verifier, h.token())).toBe('ok')
  server.setFault({ kind: 'status', status: 503 })
  clock.advance(700_000)
  const token = h.token(3600)
  expect(await outcome(verifier, token)).toBe('ok')
  await h.settle()
  server.setFault(null)
  clock.advance(750)
  expect(await outcome(verifier, token)).toBe('ok')
  await h.settle()
  expect(await outcome(verifier, h.issuer.mint({ aud: 'https://other.api' }))).toBe(
    'invalid_audience',
  )
  for (const key of [first, next]) {
    verifier.revokeKey({ issuer: issuer.issuer, thumbprint: thumbprintOf(key) })
  }
  for (const key of [first, next]) {
    verifier.restoreKey({ issuer: issuer.issuer, thumbprint: thumbprintOf(key) })
  }
  const replacement = await issuer.addKey()
  issuer.unpublish(first)
  issuer.unpublish(next)
  expect(await verifier.refresh()).toMatchObject([{ outcome: 'refreshed', keyCount: 1 }])
  return { first, next, replacement }
}

describe('events', () => {
  it('names a keyward:<type> channel for every event type', () => {
    expect(Object.entries(EVENT_CHANNELS)).toEqual(TYPES.map((type) => [type, `keyward:${type}`]))
  })

  it('delivers every event to onEvent and to its diagnostics channel, in the same order', async () => {
    const published: { name: string; message: unknown }[] = []
    listen((message, name) => published.push({ name, message }))
    harness = await startHarness({ jwks: { maxKeyAgeMs: 600_000 } })
    const { first, next, replacement } = await everyKindOfEvent(harness)
    expect(published.map(({ message }) => message)).toEqual(harness.events)
    expect(
      published.every(({ name, message }) => name === `keyward:${(message as KeywardEvent).type}`),
    ).toBe(true)
    // Discovery's own event needs issuer metadata: discovery-pinning.test.ts delivers it;
    // tenant issuers' events need a resolver: tenant-issuers.test.ts delivers them; the hooks'
    // event needs a hook: verifier-rules/validate-hook.test.ts delivers it.
    // tenant issuers' events need a resolver: tenant-issuers.test.ts delivers them; the SPIFFE
    // bundle events need a bundle: spiffe-bundles.test.ts delivers them;
    // the replay store's needs a store that fails: attacks/dpop.test.ts delivers it.
    const elsewhere = new Set([
      'issuer_metadata_changed',
      'issuer_resolver_failed',
      'tenant_issuer_evicted',
      'token_hook_failed',
      'spiffe_bundle_updated',
      'spiffe_bundle_sequence_regressed',
      'replay_store_unavailable',
    ])
    expect(new Set(harness.events.map((event) => event.type))).toEqual(
      new Set(TYPES.filter((type) => !elsewhere.has(type))),
    )

    const issuer = harness.issuer.issuer
    const jwksUri = harness.server.url
    expect(harness.of('jwks_fetch_start').map((e) => e.cause)).toEqual([
      'warmup',
      'unknown_kid',
      'scheduled',
      'retry',
      'manual',
    ])
    expect(harness.of('jwks_key_dropped')).toEqual([
      { type: 'jwks_key_dropped', issuer, jwksUri, kid: 'hmac', index: 2, reason: 'symmetric_key' },
      ...Array.from({ length: 19 }, (_, i) => ({
        type: 'jwks_key_dropped',
        issuer,
        jwksUri,
        kid: undefined,
        index: 3 + i,
        reason: 'not_an_object',
      })),
    ])
    expect(harness.of('jwks_key_drop_summary')).toEqual([
      {
        type: 'jwks_key_drop_summary',
        issuer,
        jwksUri,
        omitted: 1,
        reasons: { not_an_object: 1 },
      },
    ])
    expect(harness.of('jwks_keys_rotated')).toEqual([
      { type: 'jwks_keys_rotated', issuer, jwksUri, added: [next.kid], removed: [] },
      {
        type: 'jwks_keys_rotated',
        issuer,
        jwksUri,
        added: [replacement.kid],
        removed: [first.kid, next.kid],
      },
    ])
    expect(harness.of('jwks_fetch_failure')).toEqual([
      {
        type: 'jwks_fetch_failure',
        issuer,
        jwksUri,
        cause: 'scheduled',
        reason: 'http_status',
        httpStatus: 503,
        url: jwksUri,
        misconfigured: false,
        expected: undefined,
        received: undefined,
        durationMs: 0,
        consecutiveFailures: 1,
        retryInMs: 750,
        servingLastKnownGood: true,
      },
    ])
    expect(harness.of('jwks_stale_begin')).toMatchObject([{ issuer, jwksUri }])
    expect(harness.of('jwks_stale_end')).toEqual([
      { type: 'jwks_stale_end', issuer, jwksUri, staleForMs: 100_750, outcome: 'recovered' },
    ])
    expect(harness.of('jwks_fetch_success').find((e) => e.cause === 'retry')).toMatchObject({
      notModified: false,
      keyIds: [first.kid, next.kid],
      freshForMs: 600_000,
    })
    expect(harness.of('token_rejected')).toMatchObject([
      { code: 'invalid_audience', issuer, clientId: 'client-123' },
    ])
    const key = (k: TestKey) => ({ kid: k.kid, thumbprint: thumbprintOf(k) })
    expect(harness.of('jwks_key_added')).toEqual(
      [first, next, first, next, replacement].map((k) => ({
        type: 'jwks_key_added',
        issuer,
        jwksUri,
        ...key(k),
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
      })),
    )
    expect(harness.of('jwks_key_removed')).toEqual([
      { type: 'jwks_key_removed', issuer, jwksUri, ...key(first), reason: 'revoked' },
      { type: 'jwks_key_removed', issuer, jwksUri, ...key(next), reason: 'revoked' },
      { type: 'jwks_key_removed', issuer, jwksUri, ...key(first), reason: 'unpublished' },
      { type: 'jwks_key_removed', issuer, jwksUri, ...key(next), reason: 'unpublished' },
    ])
    expect(harness.of('jwks_key_unannounced')).toEqual([
      {
        type: 'jwks_key_unannounced',
        issuer,
        jwksUri,
        ...key(next),
        noticeMs: 0,
        minKeyNoticeMs: 60_000,
      },
    ])
    expect(harness.of('jwks_key_rotation_overdue')).toEqual(
      [first, next].map((k) => ({
        type: 'jwks_key_rotation_overdue',
        issuer,
        jwksUri,
        ...key(k),
        trustedForMs: 700_750,
        maxKeyAgeMs: 600_000,
      })),
    )
    expect(harness.of('jwks_key_revoked')).toEqual(
      [first, next].map((k) => ({
        type: 'jwks_key_revoked',
        issuer,
        jwksUri,
        kid: undefined,
        thumbprint: thumbprintOf(k),
        removedKeys: 1,
      })),
    )
    expect(harness.of('jwks_no_trusted_keys')).toEqual([
      { type: 'jwks_no_trusted_keys', issuer, jwksUri, refusedKeys: 2 },
    ])
    expect(harness.of('jwks_key_restored')).toEqual(
      [first, next].map((k) => ({
        type: 'jwks_key_restored',
        issuer,
        jwksUri,
        kid: undefined,
        thumbprint: thumbprintOf(k),
        restoredKeys: 1,
      })),
    )
    expect(harness.of('jwks_key_set_replaced')).toEqual([
      {
        type: 'jwks_key_set_replaced',
        issuer,
        jwksUri,
        added: [thumbprintOf(replacement)],
        removed: [thumbprintOf(first), thumbprintOf(next)],
      },
    ])
  })

  it('publishes on diagnostics channels without an onEvent', async () => {
    const seen: KeywardEventType[] = []
    listen((message) => seen.push((message as KeywardEvent).type))
    harness = await startHarness()
    const verifier = createVerifier({
      issuer: harness.issuer.issuer,
      audience: harness.issuer.audience,
      jwksUri: harness.server.url,
      now: harness.clock.read,
    })
    try {
      await verifier.warmup()
      await outcome(verifier, harness.issuer.mint({ aud: 'nope' }))
    } finally {
      verifier.close()
    }
    expect(seen).toEqual([
      'jwks_fetch_start',
      'jwks_key_added',
      'jwks_fetch_success',
      'token_rejected',
    ])
  })

  it('never lets a throwing onEvent change an outcome', async () => {
    harness = await startHarness()
    const verifier = createVerifier({
      issuer: harness.issuer.issuer,
      audience: harness.issuer.audience,
      jwksUri: harness.server.url,
      now: harness.clock.read,
      onEvent: () => {
        throw new Error('broken dashboard')
      },
    })
    try {
      expect(await outcome(verifier, harness.token())).toBe('ok')
      expect(await outcome(verifier, harness.issuer.mint({ aud: 'nope' }))).toBe('invalid_audience')
    } finally {
      verifier.close()
    }
  })

  it('keeps every outcome when a diagnostics_channel subscriber throws, which Node reports as uncaught', async () => {
    // keyward cannot catch it: Node calls subscribers itself and rethrows on the next tick.
    const { exited, stdout, stderr } = await runScript(`
import { generateKeyPairSync, sign } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import { createVerifier, EVENT_CHANNELS } from ${JSON.stringify(CORE_INDEX)}
const uncaught: string[] = []
process.on('uncaughtException', (error) => uncaught.push(error.message))
for (const name of Object.values(EVENT_CHANNELS)) {
  subscribe(name, (event) => {
    throw new Error(\`\${event.type} \${'kid' in event ? String(event.kid?.length) : '-'}\`)
  })
}
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] })
const verifier = createVerifier({
  issuer: 'https://issuer.test/',
  audience: 'api',
  jwksUri: 'https://issuer.test/jwks',
  jwks: { fetch: async () => new Response(jwks, { status: 200 }) },
})
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const mint = (kid: string) => {
  const input = \`\${b64({ alg: 'ES256', kid })}.\${b64({ iss: 'https://issuer.test/', aud: 'api', exp: Math.floor(Date.now() / 1000) + 60 })}\`
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return \`\${input}.\${signature.toString('base64url')}\`
}
const outcomes: string[] = []
for (const token of [mint('k1'), mint('x'.repeat(1000))]) {
  outcomes.push(await verifier.verify(token).then(() => 'ok', (error) => error.code))
}
await new Promise((resolve) => setImmediate(resolve))
verifier.close()
console.log(JSON.stringify({ outcomes, uncaught }))
`)
    expect({ exited, stderr }).toEqual({ exited: 0, stderr: '' })
    const { outcomes, uncaught } = JSON.parse(stdout) as { outcomes: string[]; uncaught: string[] }
    expect(outcomes).toEqual(['ok', 'unknown_key'])
    // One uncaught exception per event; the subscriber saw the kid clipped (128 characters + …).
    expect(uncaught).toContain('token_rejected 129')
    expect(uncaught).toContain('jwks_fetch_success -')
  })

  it('never carries a token or its signature', async () => {
    harness = await startHarness()
    await harness.verifier.warmup()
    const bad = harness.issuer.mint({ aud: 'https://other.api' })
    const forged = harness.issuer.mint({}, { signature: 'zeros' })
    await outcome(harness.verifier, bad)
    await outcome(harness.verifier, forged)
    const text = JSON.stringify(harness.events)
    for (const token of [bad, forged]) {
      for (const part of token.split('.')) expect(text).not.toContain(part)
    }
    expect(harness.of('token_rejected').map((e) => e.code)).toEqual([
      'invalid_audience',
      'invalid_signature',
    ])
  })

  it('clips the unverified values it reports', async () => {
    harness = await startHarness()
    const long = 'x'.repeat(1000)
    await outcome(harness.verifier, harness.issuer.mint({ jti: long, iss: long }, { kid: long }))
    const [rejected] = harness.of('token_rejected')
    expect(rejected?.code).toBe('invalid_issuer')
    expect(rejected?.jti).toBe(`${'x'.repeat(128)}…`)
    expect(rejected?.kid).toBe(`${'x'.repeat(128)}…`)
    expect(rejected?.issuer).toBe(`${'x'.repeat(128)}…`)
  })

  it('reports at most 20 dropped keys one by one per fetch, then one summary', async () => {
    harness = await startHarness()
    // 510 KB of junk entries after one good key: 255,000 keys dropped in one fetch.
    const junk = new Array<number>(255_000).fill(1)
    harness.server.setFault({ kind: 'keys', keys: [...harness.issuer.jwks().keys, ...junk] })
    expect(await outcome(harness.verifier, harness.token())).toBe('ok')
    expect(harness.of('jwks_key_dropped')).toHaveLength(20)
    expect(harness.of('jwks_key_drop_summary')).toMatchObject([
      {
        omitted: 254_980,
        reasons: { not_an_object: 79, too_many_keys: 254_901 },
      },
    ])
    expect(JSON.stringify(harness.events).length).toBeLessThan(8_000)
  })

  it('clips the key ids a JWKS publishes, in every event and in health()', async () => {
    const long = (tag: string) => tag.repeat(2000)
    harness = await startHarness({ jwks: { maxKeys: 2 } })
    const { issuer, server, verifier } = harness
    const key = await issuer.addKey({ kid: long('a'), publish: false })
    server.setFault({
      kind: 'keys',
      keys: [key.publicJwk, { kid: long('b'), kty: 'oct' }, { kid: 'x'.repeat(500_000) }],
    })
    // The full kid still finds its key.
    expect(await outcome(verifier, issuer.mint({}, { key }))).toBe('ok')
    const clipped = (tag: string) => `${tag.repeat(128)}…`
    expect(harness.of('jwks_fetch_success')[0]?.keyIds).toEqual([clipped('a')])
    expect(harness.of('jwks_key_dropped').map((event) => event.kid)).toEqual([
      clipped('b'),
      clipped('x'),
    ])
    expect(verifier.health().issuers[0]?.keyIds).toEqual([clipped('a')])
    server.setFault(null)
    harness.clock.advance(600_000)
    expect(await outcome(verifier, harness.token())).toBe('ok')
    await harness.settle()
    expect(harness.of('jwks_keys_rotated')).toMatchObject([
      { added: [issuer.signingKey.kid], removed: [clipped('a')] },
    ])
  })
})
