import { protectedResourceMetadata } from '@keyward/core'
import Fastify5 from 'fastify'
import Fastify4 from 'fastify4'
import { describe, expect, it } from 'vitest'
import { protectedResource } from '../src/index.js'

const metadata = protectedResourceMetadata({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com/'],
})

describe.each([
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
])('protectedResource on %s', (_name, Fastify) => {
  it('answers HEAD on the metadata paths even with exposeHeadRoutes off', async () => {
    const app = Fastify({ exposeHeadRoutes: false })
    await app.register(protectedResource(metadata))
    for (const url of metadata.paths) {
      const reply = await app.inject({ method: 'HEAD', url })
      expect({ status: reply.statusCode, body: reply.body }).toEqual({ status: 200, body: '' })
      expect(reply.headers['cache-control']).toBe('public, max-age=3600')
    }
    await app.close()
  })
})
