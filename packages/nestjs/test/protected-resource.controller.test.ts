import { request } from 'node:http'
import { Controller, Get, Module, Post } from '@nestjs/common'
import { APP_GUARD, NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BearerAuthGuard,
  KeywardModule,
  OptionalAuth,
  protectedResourceMetadata,
  ProtectedResourceController,
  Scopes,
} from '../src/index.js'
import { platforms, quiet, startApp, type RunningApp } from './nest-app.js'

const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
const PATHS = ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']
const RESOURCE_METADATA = `resource_metadata="${METADATA_URL}"`

const resourceMetadata = protectedResourceMetadata({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com/'],
  scopesSupported: ['tools:read', 'notes:write'],
})

@Controller('mcp')
class McpController {
  @Scopes('notes:write')
  @Post()
  call() {
    return { called: true }
  }

  @OptionalAuth()
  @Scopes('tools:read')
  @Get('optional')
  optional() {
    return { called: true }
  }
}

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

let issuer: TestIssuer
let jwks: JwksServer
beforeAll(async () => {
  issuer = await TestIssuer.create()
  jwks = await startJwksServer({ issuer })
})
afterAll(async () => {
  await jwks.close()
})

describe.each(platforms)('ProtectedResourceController on %s', (platform) => {
  let running: RunningApp
  beforeAll(async () => {
    // A global guard: the metadata controller is @Public() and must stay reachable.
    @Module({
      imports: [
        KeywardModule.forRoot({
          issuer: issuer.issuer,
          audience: issuer.audience,
          jwksUri: jwks.url,
          resourceMetadata,
        }),
      ],
      controllers: [ProtectedResourceController(resourceMetadata), McpController],
      providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
    })
    class AppModule {}
    running = await startApp(AppModule, platform)
  })
  afterAll(() => running.close())

  it.each(PATHS)('serves the document at %s, publicly, as JSON with CORS', async (path) => {
    const response = await fetch(`${running.url}${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual(resourceMetadata.document)
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${running.url}${PATHS[0] ?? ''}`, { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.text()).toBe('')
  })

  it('serves the configured resource whatever Host and X-Forwarded-* say', async () => {
    const body = await getWithHeaders(`${running.url}${PATHS[0] ?? ''}`, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
    })
    expect(body).toBe(resourceMetadata.body)
  })

  it('challenges a request without a token with resource_metadata', async () => {
    const response = await fetch(`${running.url}/mcp`, { method: 'POST' })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${RESOURCE_METADATA}`)
  })

  it('challenges a bad token and a missing scope with resource_metadata', async () => {
    const expired = await fetch(`${running.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issuer.mint({ exp: 1 })}` },
    })
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(expired.headers.get('www-authenticate')).toContain(RESOURCE_METADATA)
    const reader = await fetch(`${running.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issuer.mint({ scope: 'tools:read' })}` },
    })
    expect(reader.status).toBe(403)
    expect(reader.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="insufficient scope", scope="notes:write", ${RESOURCE_METADATA}`,
    )
  })

  it('challenges a scoped optional route without a token like the verifier', async () => {
    const response = await fetch(`${running.url}/mcp/optional`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${RESOURCE_METADATA}`)
  })
})

it('stays at the root under a global prefix that excludes its paths', async () => {
  @Module({ controllers: [ProtectedResourceController(resourceMetadata)] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), quiet)
  app.setGlobalPrefix('api', { exclude: [...resourceMetadata.paths] })
  await app.listen(0, '127.0.0.1')
  try {
    const url = await app.getUrl()
    const answers = await Promise.all(PATHS.map((path) => fetch(`${url}${path}`)))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200])
  } finally {
    await app.close()
  }
})
