import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createVerifier,
  EVENT_CHANNELS,
  type KeywardEvent,
  type Verifier,
  type VerifierOptions,
} from '../src/index.js'
import { rejectionOf, SETUP_TIMEOUT_MS } from './helpers.js'

// The issuer's origin serves its metadata and its JWKS; a second origin (another port of
// 127.0.0.1) serves the same keys, as a CDN the issuer might move to, or an attacker's copy.

const HOURS_2 = 2 * 60 * 60 * 1000

let home: JwksServer
let other: JwksServer
let issuer: TestIssuer
/** What the metadata document names as `jwks_uri`. */
let named = ''

beforeAll(async () => {
  const ref: { issuer?: TestIssuer } = {}
  home = await startJwksServer({
    jwks: () => ref.issuer?.jwks(),
    discoveryDocument: () => ({ issuer: ref.issuer?.issuer, jwks_uri: named }),
  })
  other = await startJwksServer({ jwks: () => ref.issuer?.jwks() })
  issuer = await TestIssuer.create({ issuer: home.origin })
  ref.issuer = issuer
}, SETUP_TIMEOUT_MS)

afterAll(async () => {
  await Promise.all([home.close(), other.close()])
})

const clock = { now: 0 }
const events: KeywardEvent[] = []
const verifiers: Verifier[] = []
beforeEach(() => {
  named = home.url
  clock.now = Date.now()
  events.length = 0
  home.reset()
  other.reset()
})
afterEach(() => {
  for (const verifier of verifiers.splice(0)) verifier.close()
})

function verifier(options: Partial<VerifierOptions> = {}): Verifier {
  const created = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    now: () => clock.now,
    onEvent: (event) => events.push(event),
    ...options,
  } as VerifierOptions)
  verifiers.push(created)
  return created
}

/** Past the freshness of keys and metadata: the next warmup rediscovers. */
async function rediscover(target: Verifier, ms = HOURS_2): Promise<void> {
  clock.now += ms
  await target.warmup()
}

function token(): string {
  const iat = Math.floor(clock.now / 1000)
  return issuer.mint({ iat, exp: iat + 300 })
}

const changes = () => events.filter((event) => event.type === 'issuer_metadata_changed')

describe('a changed jwks_uri', () => {
  it('is followed within the same origin, with an event naming both URIs', async () => {
    const target = verifier()
    await target.warmup()
    named = `${home.url}?generation=2`
    await rediscover(target)
    expect(changes()).toEqual([
      {
        type: 'issuer_metadata_changed',
        issuer: issuer.issuer,
        previousJwksUri: home.url,
        jwksUri: named,
        outcome: 'followed',
      },
    ])
    expect(home.requests.at(-1)?.path).toBe('/.well-known/jwks.json?generation=2')
    expect(target.health().issuers[0]).toMatchObject({ jwksUri: named, refusedJwksUri: undefined })
  })

  it('is seen at once by refresh(), which rereads metadata that is still fresh', async () => {
    const target = verifier()
    await target.warmup()
    named = `${home.url}?generation=2`
    expect(await target.refresh()).toMatchObject([{ outcome: 'refreshed' }])
    expect(changes()).toMatchObject([{ jwksUri: named, outcome: 'followed' }])
    expect(home.requests.at(-1)?.path).toBe('/.well-known/jwks.json?generation=2')
    // A warmup inside the metadata's freshness asks for nothing.
    const requests = home.requests.length
    await target.warmup()
    expect(home.requests.length).toBe(requests)
  })

  it('is refused on another origin: the old URI keeps serving, health and one event say so', async () => {
    const target = verifier()
    await target.warmup()
    named = other.url
    await rediscover(target)
    const refusedAt = clock.now
    await rediscover(target)
    expect(changes()).toEqual([
      {
        type: 'issuer_metadata_changed',
        issuer: issuer.issuer,
        previousJwksUri: home.url,
        jwksUri: other.url,
        outcome: 'refused',
      },
    ])
    expect(other.requests).toEqual([])
    expect(home.jwksRequests).toBe(3)
    expect(target.health().issuers[0]).toMatchObject({
      jwksUri: home.url,
      state: 'fresh',
      lastError: undefined,
      refusedJwksUri: { uri: other.url, since: refusedAt },
    })
    await expect(target.verify(token())).resolves.toMatchObject({ issuer: issuer.issuer })
  })

  it('stops serving the old URI once the metadata is stale beyond maxStaleMs', async () => {
    const target = verifier({ jwks: { cacheMaxAgeMs: 60_000, maxStaleMs: 60_000 } })
    await target.warmup()
    named = other.url
    await rediscover(target, 61_000) // refused; the old URI is last-known-good
    await expect(rediscover(target, 121_000)).rejects.toMatchObject({ code: 'jwks_misconfigured' })
    expect(target.health().issuers[0]).toMatchObject({
      lastError: 'jwks_origin_not_allowed',
      refusedJwksUri: { uri: other.url },
    })
    expect(other.requests).toEqual([])
  })

  it('is published on keyward:issuer_metadata_changed as well', async () => {
    const published: unknown[] = []
    const listener = (message: unknown): void => {
      published.push(message)
    }
    subscribe(EVENT_CHANNELS.issuer_metadata_changed, listener)
    try {
      const target = verifier()
      await target.warmup()
      named = other.url
      await rediscover(target)
    } finally {
      unsubscribe(EVENT_CHANNELS.issuer_metadata_changed, listener)
    }
    expect(published).toEqual(changes())
  })

  it('is followed to another origin listed in jwksOrigins', async () => {
    const target = verifier({ jwksOrigins: [other.origin] })
    await target.warmup()
    named = other.url
    await rediscover(target)
    expect(changes().map((event) => event.outcome)).toEqual(['followed'])
    expect(other.jwksRequests).toBe(1)
    await expect(target.verify(token())).resolves.toMatchObject({ issuer: issuer.issuer })
  })

  it("is followed back to the issuer's own origin", async () => {
    named = other.url
    const target = verifier()
    await target.warmup()
    named = home.url
    await rediscover(target)
    expect(changes().map((event) => event.outcome)).toEqual(['followed'])
    expect(target.health().issuers[0]?.jwksUri).toBe(home.url)
  })

  it('clears the refusal when the metadata names the pinned URI again', async () => {
    const target = verifier()
    await target.warmup()
    named = other.url
    await rediscover(target)
    named = home.url
    await rediscover(target)
    expect(target.health().issuers[0]?.refusedJwksUri).toBeUndefined()
  })
})

describe('the first discovery', () => {
  it('accepts a jwks_uri on another origin when jwksOrigins is not given', async () => {
    named = other.url
    const target = verifier()
    await expect(target.verify(token())).resolves.toMatchObject({ issuer: issuer.issuer })
    expect([other.jwksRequests, changes()]).toEqual([1, []])
  })

  it('refuses a jwks_uri outside the issuer origin and jwksOrigins when the list is given', async () => {
    named = other.url
    const target = verifier({ jwksOrigins: ['https://keys.example.com'] })
    const error = await rejectionOf(target.verify(token()))
    expect({ code: error.code, status: error.status }).toEqual({
      code: 'jwks_misconfigured',
      status: 503,
    })
    expect(target.health().issuers[0]).toMatchObject({
      lastError: 'jwks_origin_not_allowed',
      refusedJwksUri: { uri: other.url, since: clock.now },
    })
    expect(other.requests).toEqual([])
  })
})

describe('an explicit jwksUri', () => {
  it('pins the keys outright: no metadata is ever fetched', async () => {
    const target = verifier({ jwksUri: home.url })
    await target.warmup()
    named = other.url
    await rediscover(target)
    expect(home.requests.map((request) => request.path)).toEqual([
      '/.well-known/jwks.json',
      '/.well-known/jwks.json',
    ])
    expect(target.health().issuers[0]?.refusedJwksUri).toBeUndefined()
  })
})
