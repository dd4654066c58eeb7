import type { Verifier, VerifiedToken } from '@keyward/core'
import Fastify5 from 'fastify'
import Fastify4 from 'fastify4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerAuth, bearerAuthHook } from '../src/index.js'
import { startIssuer, type IssuerFixture } from './helpers.js'

let fixture: IssuerFixture
beforeAll(async () => {
  fixture = await startIssuer()
})
afterAll(async () => {
  await fixture.close()
})

/** A verifier that records what it is asked and answers with `auth`. */
function recordingVerifier(auth: VerifiedToken | undefined) {
  const calls: { request: Record<string, unknown>; options: unknown }[] = []
  const verifier = {
    authenticate: (request: Record<string, unknown>, options: unknown) => {
      calls.push({ request, options })
      return Promise.resolve(auth)
    },
  } as unknown as Verifier
  return { verifier, calls }
}

const typeError = (name: string) =>
  expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(name) })

describe('bearerAuth and bearerAuthHook options', () => {
  it('throws a TypeError naming a misspelt adapter option when bearerAuthHook is called', () => {
    const { verifier } = recordingVerifier(undefined)
    expect(() => bearerAuthHook(verifier, { optinal: true } as never)).toThrow(typeError('optinal'))
  })

  it('rejects app.ready() with a TypeError naming a misspelt plugin option', async () => {
    const { verifier } = recordingVerifier(undefined)
    const app = Fastify5()
    void app.register(bearerAuth, { verifier, optinal: true } as never)
    await expect(app.ready()).rejects.toThrow(typeError('optinal'))
  })

  it('rejects app.ready() with a TypeError for verifier options given with the plugin', async () => {
    const app = Fastify5()
    void app.register(bearerAuth, { ...fixture.options, optional: true } as never)
    await expect(app.ready()).rejects.toThrow(typeError('optional'))
  })
})

describe.each([
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
])('bearerAuth on %s', (_name, Fastify) => {
  it('hands core the headers, raw header list, method and query, and the optional flag', async () => {
    const auth = { subject: 'stub' } as VerifiedToken
    const { verifier, calls } = recordingVerifier(auth)
    const app = Fastify()
    void app.register(bearerAuth, { verifier, optional: true })
    app.get('/', (request) => ({ same: request.auth === auth }))
    const reply = await app.inject({ url: '/?x=1', headers: { authorization: 'Bearer t' } })
    expect(reply.json()).toEqual({ same: true })
    expect(calls).toHaveLength(1)
    const [{ request, options }] = calls as [(typeof calls)[0]]
    expect(options).toEqual({ optional: true })
    expect(request.method).toBe('GET')
    expect(request.query).toEqual({ x: '1' })
    expect(request.rawHeaders).toContain('Bearer t')
    expect((request.headers as Record<string, unknown>).authorization).toBe('Bearer t')
    await app.close()
  })

  it('uses the verifier it is given, the same object, for the plugin and the hook', async () => {
    const { verifier, calls } = recordingVerifier({ subject: 'stub' } as VerifiedToken)
    const app = Fastify()
    void app.register(async (api) => {
      await api.register(bearerAuth, verifier)
      api.get('/plugin', () => ({ ok: true }))
    })
    app.get('/hook', { onRequest: bearerAuthHook(verifier) }, () => ({ ok: true }))
    for (const url of ['/plugin', '/hook']) expect((await app.inject({ url })).statusCode).toBe(200)
    expect(calls).toHaveLength(2)
    await app.close()
  })

  it('protects the context that registers it and its children, not its parent or siblings', async () => {
    const app = Fastify()
    app.get('/root', () => ({ ok: true }))
    void app.register(async (api) => {
      api.get('/api/before', () => ({ ok: true }))
      await api.register(bearerAuth, fixture.options)
      api.get('/api/after', () => ({ ok: true }))
      void api.register((child, _options, done) => {
        child.get('/api/child', () => ({ ok: true }))
        done()
      })
    })
    void app.register((sibling, _options, done) => {
      sibling.get('/sibling', (request) => ({ decorated: 'auth' in request }))
      done()
    })
    const status = async (url: string) => (await app.inject({ url })).statusCode
    expect({
      root: await status('/root'),
      before: await status('/api/before'),
      after: await status('/api/after'),
      child: await status('/api/child'),
      sibling: await status('/sibling'),
    }).toEqual({ root: 200, before: 401, after: 401, child: 401, sibling: 200 })
    // The `auth` decoration stays in the context too.
    expect((await app.inject({ url: '/sibling' })).json()).toEqual({ decorated: false })
    await app.close()
  })

  it('reads the parsed body when the hook runs in preValidation (allowBodyToken)', async () => {
    const { verifier, calls } = recordingVerifier({ subject: 'stub' } as VerifiedToken)
    const app = Fastify()
    app.post('/', { preValidation: bearerAuthHook(verifier) }, () => ({ ok: true }))
    await app.inject({ method: 'POST', url: '/', payload: { access_token: 't' } })
    expect(calls[0]?.request.body).toEqual({ access_token: 't' })
    await app.close()
  })
})

it('registers in a context and again in its child without a decorator clash', async () => {
  for (const Fastify of [Fastify5, Fastify4]) {
    const app = Fastify()
    await app.register(bearerAuth, fixture.options)
    await app.register(async (child) => {
      await child.register(bearerAuth, fixture.options)
      child.get('/child', () => ({ ok: true }))
    })
    expect((await app.inject({ url: '/child' })).statusCode).toBe(401)
    await app.close()
  }
})
