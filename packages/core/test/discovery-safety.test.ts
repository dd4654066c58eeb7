import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startJwksServer, TestIssuer } from '@keyward/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createVerifier, type KeywardEvent, type Verifier } from '../src/index.js'
import { rejectionOf, SETUP_TIMEOUT_MS } from './helpers.js'

// An https issuer on a public host whose metadata names a URL on the API server's own network.
// The metadata is served by an injected fetch (no network); anything else it is asked for goes
// to the real network, where only the loopback "internal service" below can answer.

const ISSUER = 'https://tenant.example.com'

let internal: Server
let internalPort = 0
const internalHits: string[] = []
let issuer: TestIssuer

beforeAll(async () => {
  internal = createServer((req, res) => {
    internalHits.push(req.url ?? '')
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve))
  internalPort = (internal.address() as AddressInfo).port
  issuer = await TestIssuer.create({ issuer: ISSUER })
}, SETUP_TIMEOUT_MS)

afterAll(async () => {
  await new Promise((resolve) => internal.close(resolve))
})

beforeEach(() => {
  internalHits.length = 0
})

function verifierNaming(jwksUri: string, events: KeywardEvent[] = []): Verifier {
  return createVerifier({
    issuer: ISSUER,
    audience: issuer.audience,
    onEvent: (event) => events.push(event),
    jwks: {
      fetch: (url, init) =>
        url.startsWith(`${ISSUER}/.well-known/`)
          ? Promise.resolve(Response.json({ issuer: ISSUER, jwks_uri: jwksUri }))
          : fetch(url, init),
    },
  })
}

describe('a discovered jwks_uri on the API server’s own network', () => {
  it.each([
    [
      'http://127.0.0.1:PORT/admin/shutdown?x=1',
      (port: number) => `http://127.0.0.1:${port}/admin/shutdown?x=1`,
    ],
    ['http://localhost:PORT/internal', (port: number) => `http://localhost:${port}/internal`],
    ['https://127.0.0.1:PORT/internal', (port: number) => `https://127.0.0.1:${port}/internal`],
    [
      'https://[::ffff:127.0.0.1]:PORT/internal',
      (port: number) => `https://[::ffff:127.0.0.1]:${port}/internal`,
    ],
  ])(
    'refuses %s for an https issuer without requesting it, and health says why',
    async (_, named) => {
      const events: KeywardEvent[] = []
      const verifier = verifierNaming(named(internalPort), events)
      try {
        const error = await rejectionOf(verifier.verify(issuer.mint()))
        expect({ code: error.code, status: error.status }).toEqual({
          code: 'jwks_misconfigured',
          status: 503,
        })
        expect(verifier.health().issuers[0]?.lastError).toBe('unsafe_jwks_uri')
        expect(events.filter((event) => event.type === 'jwks_fetch_failure')).toEqual([
          expect.objectContaining({ reason: 'unsafe_jwks_uri', httpStatus: undefined }),
        ])
        expect(internalHits).toEqual([])
      } finally {
        verifier.close()
      }
    },
  )

  it('is never requested on demand either, whatever unknown kids tokens carry', async () => {
    let now = Date.now()
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: issuer.audience,
      now: () => now,
      jwks: {
        retryMaxDelayMs: 1000,
        fetch: (url, init) =>
          url.startsWith(`${ISSUER}/.well-known/`)
            ? Promise.resolve(
                Response.json({
                  issuer: ISSUER,
                  jwks_uri: `http://127.0.0.1:${internalPort}/internal`,
                }),
              )
            : fetch(url, init),
      },
    })
    try {
      for (let round = 0; round < 5; round++) {
        await verifier.verify(issuer.mint({}, { kid: `forged-${round}` })).catch(() => undefined)
        now += 60_000 // past every backoff and cooldown
      }
      expect(internalHits).toEqual([])
    } finally {
      verifier.close()
    }
  })

  it('is fetched for an issuer that is itself plain http on loopback (local development)', async () => {
    const ref: { issuer?: TestIssuer } = {}
    const keys = await startJwksServer({ jwks: () => ref.issuer?.jwks() })
    const metadata = await startJwksServer({
      jwks: () => ({ keys: [] }),
      discoveryDocument: () => ({ issuer: ref.issuer?.issuer, jwks_uri: keys.url }),
    })
    const local = await TestIssuer.create({ issuer: metadata.origin })
    ref.issuer = local
    const verifier = createVerifier({ issuer: local.issuer, audience: local.audience })
    try {
      await expect(verifier.verify(local.mint())).resolves.toMatchObject({ issuer: local.issuer })
      expect(keys.jwksRequests).toBe(1)
    } finally {
      verifier.close()
      await Promise.all([keys.close(), metadata.close()])
    }
  })
})

describe('an internal origin listed in jwksOrigins', () => {
  it('is trusted like an explicit jwksUri: the discovered jwks_uri there is fetched', async () => {
    const jwksUri = `http://127.0.0.1:${internalPort}/keys`
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: issuer.audience,
      jwksOrigins: [`http://127.0.0.1:${internalPort}`],
      jwks: {
        fetch: (url, init) =>
          url.startsWith(`${ISSUER}/.well-known/`)
            ? Promise.resolve(Response.json({ issuer: ISSUER, jwks_uri: jwksUri }))
            : fetch(url, init),
      },
    })
    try {
      await verifier.verify(issuer.mint()).catch(() => undefined)
      expect([internalHits, verifier.health().issuers[0]?.lastError]).toEqual([
        ['/keys'],
        'http_status',
      ])
    } finally {
      verifier.close()
    }
  })
})

describe('configured loopback URLs', () => {
  it('refuses a jwksUri on a .localhost name: it may leave the machine through DNS', () => {
    expect(() =>
      createVerifier({ issuer: ISSUER, audience: 'api', jwksUri: 'http://auth.localhost/jwks' }),
    ).toThrow(TypeError)
  })

  it('refuses an http issuer on a .localhost name as a source of discovery', () => {
    expect(() => createVerifier({ issuer: 'http://auth.localhost:4000', audience: 'api' })).toThrow(
      TypeError,
    )
  })
})
