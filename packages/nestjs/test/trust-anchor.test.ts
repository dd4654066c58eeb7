import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Module,
  Post,
  UseGuards,
} from '@nestjs/common'
import { startJwksServer, TestIssuer, thumbprintOf, type TestKey } from '@keyward/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BearerAuthGuard,
  KEYWARD_VERIFIER,
  KeywardModule,
  Scopes,
  type KeySelector,
  type Verifier,
} from '../src/index.js'
import { get, platforms, startApp } from './nest-app.js'

/** The README recipe: key administration behind its own scope, on the module's verifier. */
@Controller('admin/keys')
@UseGuards(BearerAuthGuard)
@Scopes('keys:admin')
class KeyAdminController {
  constructor(@Inject(KEYWARD_VERIFIER) private readonly verifier: Verifier) {}

  @Get()
  keys() {
    return this.verifier.health()
  }

  @Post('revoke')
  @HttpCode(200)
  revoke(@Body() selector: KeySelector) {
    return operatorCall(() => this.verifier.revokeKey(selector))
  }

  @Post('restore')
  @HttpCode(200)
  restore(@Body() selector: KeySelector) {
    return operatorCall(() => this.verifier.restoreKey(selector))
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: { issuer?: string }) {
    return this.verifier.refresh(body.issuer)
  }
}

/** A selector that names no issuer or key of this verifier is the caller's mistake: 400. */
function operatorCall<T>(call: () => T): T {
  try {
    return call()
  } catch (error) {
    if (error instanceof TypeError) throw new BadRequestException()
    throw error
  }
}

@Controller('things')
@UseGuards(BearerAuthGuard)
class ThingsController {
  @Get()
  things() {
    return { ok: true }
  }
}

let issuer: TestIssuer
let leaked: TestKey
let jwks: Awaited<ReturnType<typeof startJwksServer>>
let options: { issuer: string; audience: string; jwksUri: string }

beforeEach(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  leaked = await issuer.addKey()
  jwks = await startJwksServer({ issuer })
  options = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: jwks.url }
})
afterEach(async () => {
  await jwks.close()
})

async function post(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

describe.each(platforms)('governing the trust anchor on Nest with %s', (platform) => {
  it('takes trustedKeys through forRoot: an unmanaged key is 401 invalid_token', async () => {
    @Module({
      imports: [
        KeywardModule.forRoot({ ...options, trustedKeys: [thumbprintOf(issuer.signingKey)] }),
      ],
      controllers: [ThingsController],
    })
    class AppModule {}
    const running = await startApp(AppModule, platform)
    try {
      expect((await get(`${running.url}/things`, issuer.mint())).status).toBe(200)
      const refused = await get(`${running.url}/things`, issuer.mint({}, { key: leaked }))
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer error="invalid_token", error_description="signing key not found"',
      )
      expect(jwks.jwksRequests).toBe(1)
    } finally {
      await running.close()
    }
  })

  it('takes an admitKey hook through forRootAsync', async () => {
    const asked: (string | undefined)[] = []
    @Module({
      imports: [
        KeywardModule.forRootAsync({
          useFactory: () => ({
            ...options,
            admitKey: (key) => {
              asked.push(key.kid)
              return key.kid !== leaked.kid
            },
          }),
        }),
      ],
      controllers: [ThingsController],
    })
    class AppModule {}
    const running = await startApp(AppModule, platform)
    try {
      expect((await get(`${running.url}/things`, issuer.mint())).status).toBe(200)
      expect((await get(`${running.url}/things`, issuer.mint({}, { key: leaked }))).status).toBe(
        401,
      )
      expect(asked).toEqual([issuer.signingKey.kid, leaked.kid])
    } finally {
      await running.close()
    }
  })

  it('revokes and restores a key through an admin controller behind its own scope', async () => {
    @Module({
      imports: [KeywardModule.forRoot(options)],
      controllers: [KeyAdminController, ThingsController],
    })
    class AppModule {}
    const running = await startApp(AppModule, platform)
    const admin = issuer.mint({ scope: 'keys:admin' })
    const leakedToken = issuer.mint({}, { key: leaked })
    const selector = { issuer: issuer.issuer, thumbprint: thumbprintOf(leaked) }
    const things = () => get(`${running.url}/things`, leakedToken)
    try {
      expect((await things()).status).toBe(200)
      expect((await post(`${running.url}/admin/keys/revoke`, issuer.mint(), selector)).status).toBe(
        403,
      )
      expect(await post(`${running.url}/admin/keys/revoke`, admin, selector)).toEqual({
        status: 200,
        body: { revoked: true, removedKeys: 1 },
      })
      expect((await things()).status).toBe(401)
      const health = (await get(`${running.url}/admin/keys`, admin)).body as {
        issuers: { revokedKeys: { thumbprint: string }[] }[]
      }
      expect(health.issuers[0]?.revokedKeys.map((entry) => entry.thumbprint)).toEqual([
        thumbprintOf(leaked),
      ])
      expect(
        (await post(`${running.url}/admin/keys/revoke`, admin, { issuer: issuer.issuer })).status,
      ).toBe(400)
      expect((await post(`${running.url}/admin/keys/refresh`, admin, {})).body).toMatchObject([
        { issuer: issuer.issuer, outcome: 'refreshed' },
      ])
      expect((await things()).status).toBe(401)
      expect(await post(`${running.url}/admin/keys/restore`, admin, selector)).toEqual({
        status: 200,
        body: { restored: true, restoredKeys: 1 },
      })
      expect((await things()).status).toBe(200)
    } finally {
      await running.close()
    }
  })
})
