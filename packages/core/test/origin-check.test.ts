import { describe, expect, it } from 'vitest'
import { isJsonRpcRefusal, JsonRpcRefusal } from '../src/json-rpc-refusal.js'
import { originCheck, serializeOrigin } from '../src/origin-check.js'

/** What `check(origin)` does: `'passed'`, or the refusal's code, status and body. */
function outcome(run: () => void): unknown {
  try {
    run()
  } catch (error) {
    if (!isJsonRpcRefusal(error)) throw error
    return { code: error.code, status: error.status, body: JSON.stringify(error) }
  }
  return 'passed'
}

const REFUSED = {
  code: 'origin_not_allowed',
  status: 403,
  body: '{"jsonrpc":"2.0","error":{"code":-32000,"message":"origin not allowed"},"id":null}',
}

describe('originCheck', () => {
  const check = originCheck({
    allowedOrigins: ['https://app.example.com', 'HTTP://LocalHost:6274/', 'vscode-webview://ABC'],
  })

  it('passes a request without Origin (not from a browser page)', () => {
    expect(
      outcome(() => {
        check(undefined)
      }),
    ).toBe('passed')
  })

  it.each([
    'https://app.example.com',
    'https://APP.example.com:443',
    'HTTPS://app.example.com',
    'http://localhost:6274',
    'vscode-webview://abc',
  ])('passes the allowed origin %s after RFC 6454 serialisation', (origin) => {
    expect(
      outcome(() => {
        check(origin)
      }),
    ).toBe('passed')
  })

  it.each([
    'https://evil.example',
    'https://app.example.com:8443',
    'http://app.example.com',
    'https://app.example.com.evil.example',
    'http://localhost:6275',
    'null',
    '',
    'app.example.com',
    'https://app.example.com/path',
    'https://user@app.example.com',
    'https://app.example.com, https://evil.example',
  ])('refuses %j with 403 and a JSON-RPC error body without id', (origin) => {
    expect(
      outcome(() => {
        check(origin)
      }),
    ).toEqual(REFUSED)
  })

  it('refuses two Origin headers', () => {
    expect(
      outcome(() => {
        check(['https://app.example.com', 'https://app.example.com'])
      }),
    ).toEqual(REFUSED)
  })

  it("admits the opaque origin 'null' only when listed", () => {
    expect(
      outcome(() => {
        originCheck({ allowedOrigins: ['null'] })('null')
      }),
    ).toBe('passed')
  })

  it('admits no browser page with an empty list', () => {
    const none = originCheck({ allowedOrigins: [] })
    expect(
      outcome(() => {
        none(undefined)
      }),
    ).toBe('passed')
    expect(
      outcome(() => {
        none('https://app.example.com')
      }),
    ).toEqual(REFUSED)
  })

  it('exposes the allowed origins serialised', () => {
    expect(check.allowedOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:6274',
      'vscode-webview://abc',
    ])
  })

  it.each([
    [undefined, /"originCheck options" must be an object/],
    [{}, /"allowedOrigins" must be an array/],
    [{ allowedOrigins: 'https://app.example.com' }, /"allowedOrigins" must be an array/],
    [{ allowedOrigins: ['https://app.example.com/mcp'] }, /"https:\/\/app.example.com\/mcp"/],
    [{ allowedOrigins: ['app.example.com'] }, /"app.example.com" is not an origin/],
    [{ allowedOrigins: ['https://app.example.com?x'] }, /is not an origin/],
    [{ allowedOrigins: [42] }, /42 is not an origin/],
    [{ allowedOrigins: [], allowedOrigin: [] }, /unknown option "allowedOrigin"/],
  ])('refuses the options %j at construction with a TypeError naming them', (options, message) => {
    expect(() => originCheck(options as never)).toThrow(TypeError)
    expect(() => originCheck(options as never)).toThrow(message)
  })
})

describe('serializeOrigin', () => {
  it('drops the default port and lower-cases scheme and host (RFC 6454 §6.2)', () => {
    expect(serializeOrigin('HTTPS://Example.COM:443')).toBe('https://example.com')
    expect(serializeOrigin('http://example.com:80/')).toBe('http://example.com')
    expect(serializeOrigin('http://[::1]:3000')).toBe('http://[::1]:3000')
  })

  it('writes an internationalised host in punycode', () => {
    expect(serializeOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example')
  })
})

describe('JsonRpcRefusal', () => {
  it('carries no WWW-Authenticate and the request id when known', () => {
    const refusal = new JsonRpcRefusal('mcp_header_mismatch', 7)
    expect(refusal.headers).toEqual({})
    expect(refusal.status).toBe(400)
    expect(refusal.toJSON()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32020, message: refusal.message },
      id: 7,
    })
    expect(isJsonRpcRefusal({ code: 'origin_not_allowed' })).toBe(false)
  })
})
