import type { HttpReply, OAuthError } from '@keyward/test-utils'
import { expect } from 'vitest'

export const REALM = 'keyward-contract'
export const METADATA_URL = 'https://api.test/.well-known/oauth-protected-resource'

export interface Expected {
  readonly status: number
  /** The RFC 6750 `error`; `null` for a bare challenge (no credentials). */
  readonly error: OAuthError | null
  /** `scope` of the challenge: an `insufficient_scope` one, or a 401 that names scopes. */
  readonly scope?: string
  /** Whether the app was started with `realm` and `resourceMetadataUrl`. */
  readonly configured?: boolean
}

/** One raw header line, bytes as written (latin1). */
export function line(text: string): Buffer {
  return Buffer.from(text, 'latin1')
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** `realm="x", error="y"` → `{ realm: 'x', error: 'y' }`; the scheme under `''`. */
function parseChallenge(value: string): Record<string, string> {
  const scheme = /^(\S+)/.exec(value)?.[1] ?? ''
  const params: Record<string, string> = { '': scheme }
  for (const match of value.matchAll(/([A-Za-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, '$1')
  }
  return params
}

/** Success bodies of the contract routes; none may appear in a rejection. */
export const HANDLER_MARKERS = ['"clientId"', '"authenticated"', '"ok"']

/** The handler did not run: none of its bodies reached the client. */
export function expectHandlerNotRun(reply: HttpReply): void {
  for (const marker of HANDLER_MARKERS) expect(reply.body).not.toContain(marker)
}

export function expectRejected(reply: HttpReply, expected: Expected): void {
  expect(reply.status).toBe(expected.status)
  expectHandlerNotRun(reply)
  const challenge = reply.headers['www-authenticate']
  expect(challenge).toBeDefined()
  const params = parseChallenge(challenge ?? '')
  expect(params['']).toBe('Bearer')
  if (expected.error === null) {
    // RFC 6750 §3.1: a request without credentials gets no error code.
    const params = [
      ...(expected.configured === true ? [`realm="${REALM}"`] : []),
      ...(expected.scope === undefined ? [] : [`scope="${expected.scope}"`]),
      ...(expected.configured === true ? [`resource_metadata="${METADATA_URL}"`] : []),
    ]
    expect(challenge).toBe(params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`)
  } else {
    expect(params.error).toBe(expected.error)
  }
  expect(params.scope).toBe(expected.scope)
  expect(params.realm).toBe(expected.configured === true ? REALM : undefined)
  expect(params.resource_metadata).toBe(expected.configured === true ? METADATA_URL : undefined)
  // Adapters that render a JSON body must render the RFC 6750 §3 one.
  if (reply.headers['content-type']?.includes('application/json') === true) {
    const body = JSON.parse(reply.body) as { error?: unknown }
    expect(body.error).toBe(expected.error ?? undefined)
  }
}

export function expectUnavailable(reply: HttpReply): void {
  expect(reply.status).toBe(503)
  expectHandlerNotRun(reply)
  expect(reply.headers['retry-after']).toMatch(/^[1-9]\d*$/)
  expect(reply.headers['www-authenticate']).toBeUndefined()
}
