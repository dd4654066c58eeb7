import {
  expectedChallenge,
  startJwksServer,
  TestIssuer,
  type JwksServer,
  type TestIssuerOptions,
} from '@keyward/test-utils'
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import { isKeywardError, type KeywardError, type KeywardErrorCode } from '../src/errors.js'
import type { KeywardEvent } from '../src/events.js'
import type { IssuerOptions, VerifierSettings } from '../src/options.js'
import { createVerifier, type Verifier } from '../src/verifier.js'

/** Codes answered with `error="invalid_token"` (RFC 6750 §3.1). */
export type InvalidTokenCode = Exclude<
  KeywardErrorCode,
  | 'missing_token'
  | 'invalid_request'
  | 'insufficient_scope'
  | 'workload_not_allowed'
  | 'jwks_unavailable'
  | 'replay_store_unavailable'
  | 'jwks_misconfigured'
  | 'revocation_unavailable'
>

/**
 * The exact `WWW-Authenticate` of a 401 `invalid_token` answer without realm or metadata, from
 * test-utils' one table of descriptions (written out there, not imported from `src`). Typed by
 * core's codes, so a code the table lacks fails to compile.
 */
export function invalidTokenChallenge(code: InvalidTokenCode): string {
  return expectedChallenge(code)
}

export const INVALID_REQUEST_CHALLENGE = expectedChallenge('invalid_request')

/** Awaits `action` and returns the KeywardError it rejects with; fails the test otherwise. */
export async function rejectionOf(action: Promise<unknown>): Promise<KeywardError> {
  let outcome: unknown
  try {
    outcome = await action
  } catch (error) {
    expect(isKeywardError(error), String(error)).toBe(true)
    return error as KeywardError
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`)
}

/** Asserts a 401 `invalid_token` rejection with `code` and its exact challenge. */
export async function expectInvalidToken(
  action: Promise<unknown>,
  code: InvalidTokenCode,
): Promise<KeywardError> {
  const error = await rejectionOf(action)
  expect({
    code: error.code,
    status: error.status,
    challenge: error.headers['WWW-Authenticate'],
  }).toEqual({ code, status: 401, challenge: invalidTokenChallenge(code) })
  return error
}

/** Asserts a 400 `invalid_request` rejection and its exact challenge. */
export async function expectInvalidRequest(action: Promise<unknown>): Promise<KeywardError> {
  const error = await rejectionOf(action)
  expect({
    code: error.code,
    status: error.status,
    challenge: error.headers['WWW-Authenticate'],
  }).toEqual({ code: 'invalid_request', status: 400, challenge: INVALID_REQUEST_CHALLENGE })
  return error
}

/** Asserts a 401 `missing_token` rejection with the bare RFC 6750 §3.1 challenge. */
export async function expectMissingToken(action: Promise<unknown>): Promise<KeywardError> {
  const error = await rejectionOf(action)
  expect({
    code: error.code,
    status: error.status,
    challenge: error.headers['WWW-Authenticate'],
  }).toEqual({ code: 'missing_token', status: 401, challenge: 'Bearer' })
  return error
}

/** Verifier options the fixture fills in: everything, with the issuer's values by default. */
export type FixtureVerifierOptions = Partial<IssuerOptions> & VerifierSettings

/** One test issuer, its real loopback JWKS server, and verifiers wired to both. */
export interface Fixture {
  readonly issuer: TestIssuer
  readonly server: JwksServer
  /** Every event of every verifier this fixture created. */
  readonly events: KeywardEvent[]
  /** A verifier for the issuer; closed by {@link Fixture.close}. */
  verifier(options?: FixtureVerifierOptions): Verifier
  close(): Promise<void>
}

/** Starts a {@link TestIssuer} and a JWKS server that serves its published keys. */
export async function startFixture(options: TestIssuerOptions = {}): Promise<Fixture> {
  const issuer = await TestIssuer.create(options)
  const server = await startJwksServer({ issuer })
  const events: KeywardEvent[] = []
  const verifiers: Verifier[] = []
  return {
    issuer,
    server,
    events,
    verifier(overrides = {}) {
      const verifier = createVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: server.url,
        onEvent: (event) => {
          events.push(event)
        },
        ...overrides,
      })
      verifiers.push(verifier)
      return verifier
    },
    async close() {
      for (const verifier of verifiers) verifier.close()
      await server.close()
    },
  }
}

/**
 * A {@link Fixture} for the whole test file: started before the first test, closed after the
 * last, its JWKS server's records and its events cleared before each test.
 */
export function useFixture(options: TestIssuerOptions = {}): Fixture {
  let current: Fixture | undefined
  beforeAll(async () => {
    current = await startFixture(options)
  }, SETUP_TIMEOUT_MS)
  afterAll(async () => {
    await current?.close()
  })
  beforeEach(() => {
    current?.server.reset()
    if (current !== undefined) current.events.length = 0
  })
  const started = (): Fixture => {
    if (current === undefined) throw new Error('the fixture starts in beforeAll')
    return current
  }
  return {
    get issuer() {
      return started().issuer
    },
    get server() {
      return started().server
    },
    get events() {
      return started().events
    },
    verifier: (overrides) => started().verifier(overrides),
    close: () => started().close(),
  }
}

/** The three segments of a compact JWS. */
export function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.')
  return [header, payload, signature]
}

/** base64url of the UTF-8 JSON text of `value`. */
export function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

/** The decoded JSON of one segment, for building variants of a minted token. */
export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
}

// One independent signer for every core test (RFC 7518 §3, not test-utils' signer).
export { signBytes, signSegments } from './attacks/support/forge.js'

/** JSON round-trip of every event, as a log shipper would serialise them. */
export function serialise(events: readonly KeywardEvent[]): string {
  return JSON.stringify(events)
}

/** Hooks that generate RSA keys can take seconds on a loaded CI machine. */
export const SETUP_TIMEOUT_MS = 60_000
