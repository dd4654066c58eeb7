import Fastify from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import {
  bearerAuth,
  bearerAuthHook,
  requireAnyScope,
  requireScopes,
  type BearerAuthPluginOptions,
  type KeywardHook,
  type Verifier,
} from '../src/index.js'

// Checked by `tsc` (the `typecheck` script): registering never runs a request here.
const verifier = { authenticate: () => Promise.resolve(undefined) } as unknown as Verifier

describe('hook and plugin types', () => {
  it('fits the onRequest, preValidation and preHandler options of a typed route and addHook', () => {
    const app = Fastify()
    const auth = bearerAuthHook(verifier)
    app.post<{ Body: { name: string }; Querystring: { q?: string } }>(
      '/things',
      {
        onRequest: [auth, requireScopes('write:things')],
        preValidation: auth,
        preHandler: requireAnyScope('admin'),
      },
      (request) => ({ name: request.body.name, sub: request.auth?.subject }),
    )
    app.addHook('preHandler', auth)
    expectTypeOf(auth).toEqualTypeOf<KeywardHook>()
  })

  it('registers with verifier options, a Verifier, or either with adapter options', () => {
    const app = Fastify()
    const options = { issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }
    void app.register(bearerAuth, options)
    void app.register(bearerAuth, verifier)
    void app.register(bearerAuth, { verifier, optional: true })
    void app.register(bearerAuth, { verifier: options })
    // @ts-expect-error a misspelt adapter option is a type error too
    void app.register(bearerAuth, { verifier, optinal: true })
    expectTypeOf({ verifier, optional: true }).toExtend<BearerAuthPluginOptions>()
  })
})
