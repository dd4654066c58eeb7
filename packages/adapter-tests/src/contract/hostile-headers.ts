import { httpGet as get, rawHttpGet as getRaw } from '@keyward/test-utils'
import { expect, it } from 'vitest'
import { expectHandlerNotRun, expectRejected, line } from './expectations.js'
import type { Fixture } from './fixture.js'

/**
 * What the framework's HTTP parser and the adapter make of hostile `Authorization` bytes:
 * oversized values, tabs, obs-text, NUL and bare CR, headers past the server limit. Raw sockets
 * send what `fetch` refuses to.
 */
export function hostileHeaderCases(f: () => Fixture, configured: boolean): void {
  it('answers a 10 KB bearer token with 401 invalid_token', async () => {
    const authorization = `Bearer ${'a'.repeat(10 * 1024)}`
    const reply = await get(f().url('/protected'), { authorization })
    expectRejected(reply, { status: 401, error: 'invalid_token', configured })
  })

  it('answers a 15 KB header of another scheme with a bare 401', async () => {
    const authorization = `Basic ${'a'.repeat(15 * 1024)}`
    const reply = await get(f().url('/protected'), { authorization })
    expectRejected(reply, { status: 401, error: null, configured })
  })

  it.each([
    ['a tab inside the token', 'Authorization: Bearer abc\tdef'],
    ['a tab after the scheme', 'Authorization: Bearer\tabc'],
    ['obs-text bytes in the token', 'Authorization: Bearer abc\x80\xff'],
    ['obs-text bytes only', 'Authorization: Bearer \xe9\xe9\xe9'],
    ['a raw UTF-8 token', 'Authorization: Bearer \xc3\xa9t\xc3\xa9'],
  ])('answers %s with 400 invalid_request', async (_name, header) => {
    const reply = await getRaw(f().url('/protected'), [line(header)])
    expectRejected(reply, { status: 400, error: 'invalid_request', configured })
  })

  it.each([
    ['a NUL byte', 'Authorization: Bearer abc\x00def'],
    ['a bare CR', 'Authorization: Bearer abc\rdef'],
    ['a header past the server limit', `X-Filler: ${'a'.repeat(64 * 1024)}`],
  ])('never answers %s with 2xx or 5xx', async (_name, header) => {
    const reply = await getRaw(f().url('/protected'), [line(header)])
    expect(reply.status).toBeGreaterThanOrEqual(400)
    expect(reply.status).toBeLessThan(500)
    expectHandlerNotRun(reply)
  })
}
