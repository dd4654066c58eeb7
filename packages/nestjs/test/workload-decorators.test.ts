// @SpiffeIds on both Nest platforms: a JWT-SVID from a real bundle endpoint through the guard.
// The IDs' matching rules are core's (workload-checks.test.ts); here, the answer Nest sends.
import { Controller, Get, Module } from '@nestjs/common'
import {
  expectedChallenge,
  startJwksServer,
  TestTrustDomain,
  type JwksServer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Auth,
  BearerAuth,
  KeywardModule,
  ServiceAccounts,
  SpiffeIds,
  type VerifiedToken,
} from '../src/index.js'
import { get, platforms, startApp } from './nest-app.js'

let domain: TestTrustDomain
let bundle: JwksServer
beforeAll(async () => {
  domain = await TestTrustDomain.create()
  bundle = await startJwksServer({ jwks: () => domain.bundle() })
})
afterAll(async () => {
  await bundle.close()
})

@BearerAuth()
@Controller('charges')
class ChargesController {
  @SpiffeIds('spiffe://example.org/ns/shop/*')
  @Get()
  charge(@Auth() auth: VerifiedToken) {
    return { caller: auth.spiffe?.id }
  }
}

function appModule() {
  @Module({
    imports: [
      KeywardModule.forRoot({
        spiffe: {
          trustDomains: [
            {
              trustDomain: domain.trustDomain,
              bundleEndpoint: bundle.url,
              audience: domain.audience,
            },
          ],
        },
      }),
    ],
    controllers: [ChargesController],
  })
  class AppModule {}
  return AppModule
}

describe.each(platforms)('@SpiffeIds on %s', (platform) => {
  it('lets an allowed workload through, and answers another with 403 workload_not_allowed', async () => {
    const running = await startApp(appModule(), platform)
    try {
      const allowed = await get(`${running.url}/charges`, domain.mint('/ns/shop/sa/web'))
      expect([allowed.status, allowed.body]).toEqual([
        200,
        { caller: 'spiffe://example.org/ns/shop/sa/web' },
      ])
      const refused = await get(`${running.url}/charges`, domain.mint('/ns/batch/sa/report'))
      expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([
        403,
        expectedChallenge('workload_not_allowed'),
      ])
    } finally {
      await running.close()
    }
  })
})

describe('workload decorators', () => {
  it('refuse invalid patterns when applied', () => {
    expect(() => SpiffeIds('spiffe://example.org/ns/shop/')).toThrow(TypeError)
    expect(() => ServiceAccounts('shop')).toThrow(TypeError)
  })
})
