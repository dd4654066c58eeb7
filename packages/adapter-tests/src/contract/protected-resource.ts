import type { ProtectedResourceMetadataOptions } from '@keyward/core'
import {
  expectedChallenge,
  httpGet as get,
  nodeHttpRequest,
  type HttpReply,
} from '@keyward/test-utils'
import { describe, expect, it } from 'vitest'
import { nowSeconds } from './expectations.js'
import { fixture, type StartApp } from './fixture.js'

/** The protected resource every `startWithResourceMetadata` app is started with. */
export const RESOURCE: ProtectedResourceMetadataOptions = {
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com/'],
  scopesSupported: ['read:things', 'write:things'],
}
const RESOURCE_METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
/** The RFC 9728 document for {@link RESOURCE}, byte for byte. */
const RESOURCE_DOCUMENT =
  '{"resource":"https://mcp.example.com/mcp",' +
  '"authorization_servers":["https://auth.example.com/"],' +
  '"scopes_supported":["read:things","write:things"],' +
  '"bearer_methods_supported":["header"]}'
const RESOURCE_PATHS = [
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource',
] as const

/** The document's headers; frameworks may add a charset to the content type. */
function expectDocumentHeaders(reply: HttpReply): void {
  expect(reply.status).toBe(200)
  expect(reply.headers['content-type']).toMatch(/^application\/json(; ?charset=utf-8)?$/i)
  expect(reply.headers['cache-control']).toBe('public, max-age=3600')
  expect(reply.headers['access-control-allow-origin']).toBe('*')
  expect(reply.headers['www-authenticate']).toBeUndefined()
}

/** RFC 9728 metadata served by the adapter, and challenges that point at it. */
export function describeProtectedResource(start: StartApp): void {
  describe('serving RFC 9728 protected resource metadata', () => {
    // The audience is the resource the metadata names (a verifier refuses any other).
    const f = fixture(start, { audience: RESOURCE.resource })

    it.each(RESOURCE_PATHS)(
      'serves the document at %s without a token, as JSON, cacheable for an hour, with CORS',
      async (path) => {
        const reply = await get(f().url(path))
        expectDocumentHeaders(reply)
        expect(reply.body).toBe(RESOURCE_DOCUMENT)
      },
    )

    it('answers HEAD on the metadata path with the same headers and no body', async () => {
      const reply = await nodeHttpRequest(f().url(RESOURCE_PATHS[0]), { method: 'HEAD' })
      expectDocumentHeaders(reply)
      expect(reply.body).toBe('')
    })

    it('serves the configured resource whatever Host and X-Forwarded-* say', async () => {
      const reply = await nodeHttpRequest(f().url(RESOURCE_PATHS[0]), {
        headers: {
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'http',
        },
      })
      expectDocumentHeaders(reply)
      expect(reply.body).toBe(RESOURCE_DOCUMENT)
    })

    it('leaves other methods on its path to the app and serves no other well-known path', async () => {
      const { url } = f()
      const post = await nodeHttpRequest(url(RESOURCE_PATHS[0]), { method: 'POST' })
      expect(post.status).toBe(405)
      expect(JSON.parse(post.body)).toEqual({ next: true })
      const other = await get(url('/.well-known/oauth-protected-resource/other'))
      expect(other.status).toBe(404)
      expect(other.body).not.toContain('"resource"')
    })

    it('points a challenge without a token at the metadata with resource_metadata', async () => {
      const reply = await get(f().url('/protected'))
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('missing_token', { resourceMetadata: RESOURCE_METADATA_URL }),
      )
    })

    it('points the challenge for an expired token at the metadata', async () => {
      const { url, bearer } = f()
      const reply = await get(
        url('/protected'),
        bearer({ iat: nowSeconds() - 3600, exp: nowSeconds() - 600 }),
      )
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('token_expired', { resourceMetadata: RESOURCE_METADATA_URL }),
      )
    })

    it('points the challenge for a missing scope at the metadata', async () => {
      const { url, bearer } = f()
      const reply = await get(url('/write'), bearer({ scope: 'read:things' }))
      expect(reply.status).toBe(403)
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('insufficient_scope', {
          scope: 'write:things',
          resourceMetadata: RESOURCE_METADATA_URL,
        }),
      )
    })

    it('challenges a scope check after optional auth without a token like the verifier, naming its scope', async () => {
      const reply = await get(f().url('/optional-write'))
      expect(reply.status).toBe(401)
      expect(reply.headers['www-authenticate']).toBe(
        expectedChallenge('missing_token', {
          scope: 'write:things',
          resourceMetadata: RESOURCE_METADATA_URL,
        }),
      )
    })
  })
}
