import { request } from 'node:http'
import { createVerifier, protectedResourceMetadata, type Verifier } from '@keyward/core'
import type { ContractApp } from '@keyward/test-utils'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerAuth, protectedResource, requireScopes, type KeywardState } from '../src/index.js'
import { listen, route, startIssuer, type IssuerFixture } from './helpers.js'

const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
const PATHS = ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']
const RESOURCE_METADATA = `resource_metadata="${METADATA_URL}"`

const resourceMetadata = protectedResourceMetadata({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com/'],
  scopesSupported: ['tools:read', 'notes:write'],
})

/** A GET through `node:http`, which (unlike `fetch`) sends the `Host` header it is given. */
function getWithHeaders(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => {
        resolve(body)
      })
    })
      .on('error', reject)
      .end()
  })
}

let fixture: IssuerFixture
let verifier: Verifier
beforeAll(async () => {
  fixture = await startIssuer()
  verifier = createVerifier({ ...fixture.options, resourceMetadata })
})
afterAll(async () => {
  verifier.close()
  await fixture.close()
})

describe.each([
  ['koa@3', Koa3],
  ['koa@2', Koa2],
])('protectedResource on %s', (_name, Koa) => {
  let app: ContractApp
  beforeAll(async () => {
    const koa = new Koa<KeywardState>()
    // Trusting proxies makes `ctx.host` follow X-Forwarded-Host: the document must not.
    koa.proxy = true
    koa.use(protectedResource(resourceMetadata))
    koa.use(
      route('/mcp', bearerAuth(verifier), requireScopes('notes:write'), (ctx) => {
        ctx.body = { called: true }
      }),
    )
    koa.use(
      route('/optional', bearerAuth(verifier, { optional: true }), requireScopes('tools:read')),
    )
    koa.use((ctx) => {
      if (ctx.path === PATHS[0]) {
        ctx.status = 405
        ctx.body = { next: true }
      }
    })
    app = await listen(koa.callback())
  })
  afterAll(() => app.close())

  it.each(PATHS)('serves the document at %s, publicly, as JSON with CORS', async (path) => {
    const response = await fetch(`${app.url}${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual(resourceMetadata.document)
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${app.url}${PATHS[0] ?? ''}`, { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.text()).toBe('')
  })

  it('serves the configured resource whatever Host and X-Forwarded-* say', async () => {
    const body = await getWithHeaders(`${app.url}${PATHS[0] ?? ''}`, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
    })
    expect(body).toBe(resourceMetadata.body)
  })

  it('passes other methods and paths to the next middleware', async () => {
    const post = await fetch(`${app.url}${PATHS[0] ?? ''}`, { method: 'POST' })
    expect([post.status, await post.json()]).toEqual([405, { next: true }])
    const other = await fetch(`${app.url}/.well-known/oauth-protected-resource/other`)
    expect(other.status).toBe(404)
  })

  it('challenges a request without a token with resource_metadata', async () => {
    const response = await fetch(`${app.url}/mcp`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${RESOURCE_METADATA}`)
  })

  it('challenges a bad token and a missing scope with resource_metadata', async () => {
    const expired = await fetch(`${app.url}/mcp`, {
      headers: { authorization: `Bearer ${fixture.issuer.mint({ exp: 1 })}` },
    })
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(expired.headers.get('www-authenticate')).toContain(RESOURCE_METADATA)
    const reader = await fetch(`${app.url}/mcp`, {
      headers: { authorization: `Bearer ${fixture.issuer.mint({ scope: 'tools:read' })}` },
    })
    expect(reader.status).toBe(403)
    expect(reader.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="insufficient scope", scope="notes:write", ${RESOURCE_METADATA}`,
    )
  })

  it('challenges a scope check after optional auth without a token like the verifier', async () => {
    const response = await fetch(`${app.url}/optional`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${RESOURCE_METADATA}`)
  })
})
