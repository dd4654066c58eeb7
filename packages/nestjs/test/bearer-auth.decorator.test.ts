import { Controller, Get, Module, Post } from '@nestjs/common'
import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Auth, BearerAuth, KeywardModule, Scopes } from '../src/index.js'
import { get, platforms, startApp, type RunningApp } from './nest-app.js'

@BearerAuth('notes:read')
@Controller('notes')
class NotesController {
  @Get()
  list(@Auth('subject') sub: string) {
    return { sub }
  }

  @Scopes('notes:write')
  @Post()
  create() {
    return { ok: true }
  }
}

@Controller('mixed')
class MixedController {
  @Get('open')
  open() {
    return { ok: true }
  }

  @BearerAuth()
  @Get('closed')
  closed(@Auth('subject') sub: string) {
    return { sub }
  }
}

describe('BearerAuth', () => {
  it('rejects an invalid scope name when the route is declared', () => {
    expect(() => BearerAuth('read things')).toThrow(TypeError)
  })
})

describe.each(platforms)('@BearerAuth() without a global guard on %s', (platform) => {
  let issuer: TestIssuer
  let jwks: JwksServer
  let app: RunningApp

  beforeAll(async () => {
    issuer = await TestIssuer.create()
    jwks = await startJwksServer({ issuer })
    @Module({
      imports: [
        KeywardModule.forRoot({
          issuer: issuer.issuer,
          audience: issuer.audience,
          jwksUri: jwks.url,
        }),
      ],
      controllers: [NotesController, MixedController],
    })
    class AppModule {}
    app = await startApp(AppModule, platform)
  })

  afterAll(async () => {
    await app.close()
    await jwks.close()
  })

  const post = (url: string, scope: string) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${issuer.mint({ scope })}` } })

  it('on a controller, authenticates every route and requires its scopes', async () => {
    const anonymous = await get(`${app.url}/notes`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer scope="notes:read"')
    const denied = await get(`${app.url}/notes`, issuer.mint({ scope: 'other' }))
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toMatch(/scope="notes:read"/)
    const allowed = await get(`${app.url}/notes`, issuer.mint({ sub: 'u1', scope: 'notes:read' }))
    expect(allowed.body).toEqual({ sub: 'u1' })
  })

  it('on a controller, adds the scopes of a method rule', async () => {
    expect((await post(`${app.url}/notes`, 'notes:write')).status).toBe(403)
    expect((await post(`${app.url}/notes`, 'notes:read')).status).toBe(403)
    expect((await post(`${app.url}/notes`, 'notes:read notes:write')).status).toBe(201)
  })

  it('without scopes on a method, authenticates that route only', async () => {
    expect((await get(`${app.url}/mixed/open`)).status).toBe(200)
    expect((await get(`${app.url}/mixed/closed`)).status).toBe(401)
    const answer = await get(`${app.url}/mixed/closed`, issuer.mint({ sub: 'u2' }))
    expect(answer.body).toEqual({ sub: 'u2' })
  })
})
