import {
  ERROR_DESCRIPTIONS,
  expectedChallenge,
  httpGet as get,
  oauthError,
  startJwksServer,
  TestIssuer,
  type HttpReply as Reply,
  type JwksServer,
  type TestAlgorithm,
  type TestKey,
} from '@keyward/test-utils'
import { expect } from 'vitest'
import {
  createVerifier,
  type IssuerOptions,
  type KeywardErrorCode,
  type KeywardEvent,
  type Verifier,
  type VerifierSettings,
} from '../../../src/index.js'
import { record, recordEvent, registerToken } from './audit.js'
import {
  startProtectedServer,
  type ProtectedServer,
  type ProtectedServerOptions,
} from './protected-server.js'

/** Realm and resource metadata a target was configured with. */
export interface ChallengeConfig {
  readonly realm?: string
  readonly resourceMetadataUrl?: string
}

/** What a client must see for a rejection with `code` (RFC 6750 §3, the design's table). */
export function expectedAnswer(
  code: KeywardErrorCode,
  config: ChallengeConfig = {},
  scope = 'admin',
): { status: number; challenge: string | undefined; body: unknown } {
  if (
    code === 'jwks_unavailable' ||
    code === 'jwks_misconfigured' ||
    code === 'replay_store_unavailable' ||
    code === 'revocation_unavailable'
  ) {
    return { status: 503, challenge: undefined, body: { error: 'temporarily_unavailable' } }
  }
  const challenge = expectedChallenge(code, {
    realm: config.realm,
    scope: code === 'insufficient_scope' ? scope : undefined,
    resourceMetadata: config.resourceMetadataUrl,
  })
  const status =
    code === 'invalid_request'
      ? 400
      : code === 'insufficient_scope' || code === 'workload_not_allowed'
        ? 403
        : 401
  return {
    status,
    challenge,
    body:
      code === 'missing_token'
        ? {}
        : { error: oauthError(code), error_description: ERROR_DESCRIPTIONS[code] },
  }
}

export type TargetOptions = Partial<IssuerOptions> &
  VerifierSettings & { readonly server?: ProtectedServerOptions }

/** One verifier behind one protected `node:http` app. */
export interface Target {
  readonly verifier: Verifier
  readonly app: ProtectedServer
  readonly config: ChallengeConfig
  /** `GET path` with these headers, through `fetch`. */
  request(headers: Record<string, string>, path?: string): Promise<Reply>
  /** Sends `Authorization: Bearer <token>` and asserts the answer for `code`; the handler never ran. */
  reject(token: string, code: KeywardErrorCode, path?: string): Promise<Reply>
  /** Runs `send` and asserts the answer for `code` and that the handler never ran. */
  expectRejected(send: () => Promise<Reply>, code: KeywardErrorCode): Promise<Reply>
  /** Sends the token and asserts 200 from the handler: the positive control of an attack. */
  accept(token: string, path?: string): Promise<Reply>
}

/** One test issuer, its real JWKS server, and protected apps verifying its tokens. */
export interface Scenario {
  readonly issuer: TestIssuer
  readonly jwks: JwksServer
  /** Every event of every verifier of this scenario. */
  readonly events: KeywardEvent[]
  /** The default target: default options, trusting `issuer`. */
  readonly target: Target
  /** Another target with other options, closed with the scenario. */
  newTarget(options?: TargetOptions): Promise<Target>
  close(): Promise<void>
}

export interface ScenarioOptions {
  /** Algorithm of the signing key. @defaultValue 'RS256' */
  readonly alg?: TestAlgorithm
  /** Extra published keys, one per algorithm. */
  readonly extraKeys?: readonly TestAlgorithm[]
  readonly issuer?: TestIssuer
  readonly target?: TargetOptions
}

export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const issuer = options.issuer ?? (await TestIssuer.create({ alg: options.alg ?? 'RS256' }))
  for (const alg of options.extraKeys ?? []) await issuer.addKey({ alg })
  const jwks = await startJwksServer({ issuer })
  const events: KeywardEvent[] = []
  const targets: Target[] = []
  const newTarget = async (targetOptions: TargetOptions = {}): Promise<Target> => {
    const { server, ...verifierOptions } = targetOptions
    const target = await startTarget(
      {
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: jwks.url,
        ...verifierOptions,
        onEvent: (event) => {
          events.push(event)
          recordEvent('onEvent', event)
        },
        // keyward's own log lines join the audit: they quote unverified claims.
        logger: {
          warn: (line: string) => {
            record('log', line)
          },
        },
      },
      server,
    )
    targets.push(target)
    return target
  }
  const target = await newTarget(options.target)
  return {
    issuer,
    jwks,
    events,
    target,
    newTarget,
    async close() {
      for (const t of targets) {
        t.verifier.close()
        await t.app.close()
      }
      await jwks.close()
    },
  }
}

/** A verifier with these exact options behind a protected app. */
export async function startTarget(
  verifierOptions: Parameters<typeof createVerifier>[0],
  serverOptions?: ProtectedServerOptions,
): Promise<Target> {
  const verifier = createVerifier(verifierOptions)
  const app = await startProtectedServer(verifier, serverOptions)
  const config: ChallengeConfig = {
    ...(verifierOptions.realm === undefined ? {} : { realm: verifierOptions.realm }),
    ...(verifierOptions.resourceMetadataUrl === undefined
      ? {}
      : { resourceMetadataUrl: verifierOptions.resourceMetadataUrl }),
  }
  const request = (headers: Record<string, string>, path = '/protected'): Promise<Reply> =>
    get(app.url + path, headers)
  const expectRejected = async (
    send: () => Promise<Reply>,
    code: KeywardErrorCode,
  ): Promise<Reply> => {
    const runs = app.handlerRuns
    const seen = app.outcomes.length
    const reply = await send()
    const expected = expectedAnswer(code, config)
    expect({
      status: reply.status,
      challenge: reply.headers['www-authenticate'],
      body: parseBody(reply.body),
      outcomes: app.outcomes.slice(seen),
      handlerRuns: app.handlerRuns,
    }).toEqual({
      status: expected.status,
      challenge: expected.challenge,
      body: expected.body,
      outcomes: [{ kind: 'rejected', code, status: expected.status }],
      handlerRuns: runs,
    })
    if (expected.status === 503) expect(reply.headers['retry-after']).toMatch(/^[1-9]\d*$/)
    return reply
  }
  return {
    verifier,
    app,
    config,
    request,
    expectRejected,
    reject(token, code, path) {
      registerToken(token)
      return expectRejected(() => request({ authorization: `Bearer ${token}` }, path), code)
    },
    async accept(token, path) {
      registerToken(token)
      const runs = app.handlerRuns
      const reply = await request({ authorization: `Bearer ${token}` }, path)
      expect({ status: reply.status, handlerRuns: app.handlerRuns }).toEqual({
        status: 200,
        handlerRuns: runs + 1,
      })
      return reply
    },
  }
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/** The three segments of a compact JWS. */
export function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.')
  return [header, payload, signature]
}

/** base64url of UTF-8 text. */
export function b64(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64url')
}

/** Decodes one JSON segment of a token. */
export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>
}

export type { TestKey }
