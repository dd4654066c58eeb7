// The metadata controller's HTTP behaviour (both well-known paths, headers, HEAD, Host and
// X-Forwarded-* independence, challenges pointing at it) is checked by the shared adapter
// contract on every platform (test/contract.test.ts). What is Nest's own stays here.
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { expect, it } from 'vitest'
import { protectedResourceMetadata, ProtectedResourceController } from '../src/index.js'
import { quiet } from './nest-app.js'

const resourceMetadata = protectedResourceMetadata({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com/'],
  scopesSupported: ['tools:read', 'notes:write'],
})

it('stays at the root under a global prefix that excludes its paths', async () => {
  @Module({ controllers: [ProtectedResourceController(resourceMetadata)] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), quiet)
  app.setGlobalPrefix('api', { exclude: [...resourceMetadata.paths] })
  await app.listen(0, '127.0.0.1')
  try {
    const url = await app.getUrl()
    const answers = await Promise.all(resourceMetadata.paths.map((path) => fetch(`${url}${path}`)))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200])
  } finally {
    await app.close()
  }
})
