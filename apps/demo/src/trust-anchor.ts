import { createWriteStream } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createVerifier, type KeywardEvent, type Verifier } from '@keyward/core'
import { bearerAuth, keywardErrorHandler } from '@keyward/express'
import {
  startJwksServer,
  TestIssuer,
  thumbprintOf,
  type JwksServer,
  type TestKey,
} from '@keyward/test-utils'
import express from 'express'
import { call, type Answer } from './http.js'
import type { Row } from './report.js'

const SERVICE = 'trust-anchor-api'
/** keyward's fixed `error_description` for a token whose key does not verify (`unknown_key`). */
const UNKNOWN_KEY = 'signing key not found'
/** How long the revocation load runs, and when in it the key is revoked. */
const LOAD_MS = 1500
const REVOKE_AT_MS = 600
const LOAD_WORKERS = 4

/**
 * Governing the trust anchor, on an issuer the tour drives by hand: test-utils' `TestIssuer`
 * behind two loopback servers, its own origin (metadata and JWKS) and a second origin serving
 * the same keys (a CDN it might move to, or an attacker's copy). oidc-provider, the dev issuer,
 * cannot publish a key it does not sign with or move its `jwks_uri`; this issuer can. The API
 * is Express with `@keyward/express`, in the tour's process, so the tour can call `revokeKey`
 * on its verifier the way an admin route would.
 *
 * Rows: a key the operator does not manage appears in the JWKS (its tokens 401 `unknown_key`,
 * managed keys keep working); discovery moves `jwks_uri` to another origin (refused, reported,
 * the last-known-good keys keep serving); `revokeKey` under load (the key's tokens fail from the
 * next request on, cached verifications included; the other key's tokens are unaffected).
 *
 * @example
 * ```ts
 * rows.push(...(await runTrustAnchorRows(logDir)))
 * ```
 */
export async function runTrustAnchorRows(logDir: string): Promise<Row[]> {
  const stage = await startStage(logDir)
  try {
    return [await unmanagedKey(stage), await movedJwksUri(stage), await revocation(stage)]
  } finally {
    await stage.close()
  }
}

interface Stage {
  readonly issuer: TestIssuer
  readonly home: JwksServer
  readonly mirror: JwksServer
  /** The keys the operator manages: `trustedKeys`. */
  readonly managed: readonly [TestKey, TestKey]
  readonly verifier: Verifier
  readonly events: KeywardEvent[]
  /** `GET /me` on the API. */
  readonly url: string
  /** What the issuer's metadata names as `jwks_uri`. */
  jwksUri: string
  close(): Promise<void>
}

async function startStage(logDir: string): Promise<Stage> {
  const ref: { issuer?: TestIssuer; jwksUri?: string } = {}
  const home = await startJwksServer({
    jwks: () => ref.issuer?.jwks(),
    discoveryDocument: () => ({ issuer: ref.issuer?.issuer, jwks_uri: ref.jwksUri }),
  })
  const mirror = await startJwksServer({ jwks: () => ref.issuer?.jwks() })
  const issuer = await TestIssuer.create({ alg: 'ES256', issuer: home.origin })
  ref.issuer = issuer
  ref.jwksUri = home.url
  const managed = [issuer.signingKey, await issuer.addKey()] as const
  const log = createWriteStream(join(logDir, `${SERVICE}.log`))
  const events: KeywardEvent[] = []
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    trustedKeys: managed.map((key) => thumbprintOf(key)),
    onEvent: (event) => {
      events.push(event)
      if (event.type !== 'token_verified') log.write(`${JSON.stringify(event)}\n`)
    },
    // keyward's operator lines (plain http on loopback) go to this service's log, not the tour's.
    logger: { warn: (line: string) => log.write(`${line}\n`) },
  })
  await verifier.warmup()
  const app = express()
  app.get('/me', bearerAuth(verifier), (req, res) => {
    res.json({ kid: req.auth?.kid })
  })
  app.use(keywardErrorHandler())
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      resolve(listening)
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    issuer,
    home,
    mirror,
    managed,
    verifier,
    events,
    url: `http://127.0.0.1:${String(port)}/me`,
    get jwksUri() {
      return ref.jwksUri ?? home.url
    },
    set jwksUri(value: string) {
      ref.jwksUri = value
    },
    async close() {
      verifier.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
      await Promise.all([home.close(), mirror.close()])
      await new Promise<void>((resolve) => log.end(resolve))
    },
  }
}

/** A key published in the issuer's JWKS that is not in `trustedKeys`. */
async function unmanagedKey(stage: Stage): Promise<Row> {
  const { issuer, verifier } = stage
  const intruder = await issuer.addKey()
  await verifier.refresh()
  const refused = await call(stage.url, { token: issuer.mint({}, { key: intruder }) })
  const managed = await call(stage.url, { token: issuer.mint() })
  const dropped = stage.events.some(
    (event) =>
      event.type === 'jwks_key_dropped' &&
      event.reason === 'unmanaged_key' &&
      event.thumbprint === thumbprintOf(intruder),
  )
  const ok = isUnknownKey(refused) && managed.status === 200 && dropped
  return {
    scenario: 'unmanaged key in the JWKS',
    api: SERVICE,
    expected: `401 invalid_token (${UNKNOWN_KEY}); managed 200; dropped unmanaged_key`,
    got: ok
      ? `401 invalid_token (${UNKNOWN_KEY}); managed ${String(managed.status)}; dropped unmanaged_key`
      : `${describe(refused)}; managed ${describe(managed)}; dropped event: ${dropped ? 'yes' : 'no'}`,
    ok,
  }
}

/** The metadata document names a `jwks_uri` on another origin. */
async function movedJwksUri(stage: Stage): Promise<Row> {
  const { issuer, verifier, mirror } = stage
  stage.jwksUri = mirror.url
  await verifier.refresh()
  const answer = await call(stage.url, { token: issuer.mint() })
  const refused = stage.events.some(
    (event) =>
      event.type === 'issuer_metadata_changed' &&
      event.outcome === 'refused' &&
      event.jwksUri === mirror.url,
  )
  const health = verifier.health().issuers[0]
  const reported = health?.refusedJwksUri?.uri === mirror.url
  const ok = answer.status === 200 && refused && reported && mirror.jwksRequests === 0
  return {
    scenario: 'jwks_uri moved to another origin',
    api: SERVICE,
    expected: 'refused and reported; old keys 200; 0 fetches there',
    got:
      `${refused ? 'refused' : 'not refused'}, ${reported ? 'in health()' : 'not in health()'}; ` +
      `old keys ${describe(answer)}; ${String(mirror.jwksRequests)} fetches there`,
    ok,
  }
}

/**
 * `revokeKey` while requests run: every request started after it with the revoked key's token
 * is refused (the same token string throughout, so most were verified-token cache hits), and
 * every request with the other key's token still passes.
 */
async function revocation(stage: Stage): Promise<Row> {
  const { issuer, verifier } = stage
  const [revoked, kept] = stage.managed
  const tokens = {
    revoked: issuer.mint({}, { key: revoked }),
    kept: issuer.mint({}, { key: kept }),
  }
  const results: { key: 'revoked' | 'kept'; after: boolean; answer: Answer }[] = []
  const started = performance.now()
  let revokedAt: number | undefined
  const revoke = new Promise<void>((resolve) => {
    setTimeout(() => {
      verifier.revokeKey({ issuer: issuer.issuer, kid: revoked.kid })
      revokedAt = performance.now()
      resolve()
    }, REVOKE_AT_MS)
  })
  let firstRefusalMs: number | undefined
  const worker = async (index: number): Promise<void> => {
    for (let i = index; performance.now() - started < LOAD_MS; i++) {
      const key = i % 2 === 0 ? 'revoked' : 'kept'
      const after = revokedAt !== undefined
      const answer = await call(stage.url, { token: tokens[key] })
      if (key === 'revoked' && revokedAt !== undefined && answer.status === 401) {
        firstRefusalMs ??= performance.now() - revokedAt
      }
      results.push({ key, after, answer })
    }
  }
  await Promise.all([revoke, ...Array.from({ length: LOAD_WORKERS }, (_, i) => worker(i))])
  const count = (key: 'revoked' | 'kept', after: boolean, accepted: boolean) =>
    results.filter(
      (r) => r.key === key && r.after === after && (r.answer.status === 200) === accepted,
    ).length
  const revokedAccepted = count('revoked', true, true)
  const revokedRefused = results.filter(
    (r) => r.key === 'revoked' && r.after && isUnknownKey(r.answer),
  ).length
  const keptFailed = count('kept', true, false) + count('kept', false, false)
  // A request sent just before `revokeKey` may be verified just after it: only requests sent
  // after it are held to the revocation.
  const acceptedBefore = count('revoked', false, true)
  const ok = revokedAccepted === 0 && revokedRefused > 0 && acceptedBefore > 0 && keptFailed === 0
  return {
    scenario: `revokeKey under load (${String(results.length)} requests)`,
    api: SERVICE,
    expected: 'revoked kid: 0 accepted after revokeKey; other kid: 0 failed',
    got:
      `revoked kid: ${String(acceptedBefore)} accepted before, ${String(revokedAccepted)} accepted ` +
      `and ${String(revokedRefused)} refused after ` +
      `(first ${firstRefusalMs === undefined ? '?' : firstRefusalMs.toFixed(1)} ms after revokeKey); ` +
      `other kid: ${String(keptFailed)} failed`,
    ok,
  }
}

function isUnknownKey(answer: Answer): boolean {
  return (
    answer.status === 401 && answer.error === 'invalid_token' && answer.description === UNKNOWN_KEY
  )
}

function describe(answer: Answer): string {
  const parts = [String(answer.status)]
  if (answer.error !== undefined) parts.push(answer.error)
  if (answer.description !== undefined) parts.push(`(${answer.description})`)
  return parts.join(' ')
}
