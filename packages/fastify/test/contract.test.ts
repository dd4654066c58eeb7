import {
  createVerifier,
  protectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
  type Verifier,
  type VerifierOptions,
} from '@keyward/core'
import {
  contractClaimPredicate,
  CONTRACT_CLAIM_TIMEOUT_MS,
  CONTRACT_SERVICE_ACCOUNTS,
  CONTRACT_SPIFFE_IDS,
  installedMajor,
  MCP_ALLOWED_ORIGINS,
  MCP_TOOL_SCOPES,
  runAdapterContract,
  type ContractAppFactory,
} from '@keyward/adapter-tests'
import Fastify5, { type FastifyInstance, type FastifyRequest } from 'fastify'
import Fastify4 from 'fastify4'
import { expect, it } from 'vitest'
import {
  bearerAuth,
  bearerAuthHook,
  claimCheck,
  claimEquals,
  claimIncludes,
  originCheck,
  protectedResource,
  requireAnyScope,
  requireScopes,
  requireServiceAccount,
  requireSpiffeId,
  scopeChains,
  toolScopes,
  type KeywardHook,
} from '../src/index.js'
import { listen } from './helpers.js'

const major = (name: string): number => installedMajor(name, import.meta.url)

it('runs the contract on Fastify 4 and Fastify 5', () => {
  expect([major('fastify4'), major('fastify')]).toEqual([4, 5])
})

const whoAmI = (request: FastifyRequest) => {
  const { auth } = request
  return { sub: auth?.subject, clientId: auth?.clientId, scopes: auth?.scopes }
}
const optionalWhoAmI = (request: FastifyRequest) => {
  const { auth } = request
  return auth ? { authenticated: true, sub: auth.subject } : { authenticated: false }
}

const tierCheck = () => claimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS })
const spiffeGuard = () => requireSpiffeId(...CONTRACT_SPIFFE_IDS)
const accountGuard = () => requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)

/** The contract routes, authenticated the way `form` says. */
type Form = 'plugin' | 'route hooks'

async function protectedRoutes(
  app: FastifyInstance,
  verifier: Verifier,
  form: Form,
): Promise<void> {
  if (form === 'plugin') {
    // One context authenticated by the plugin, one optionally; `/public` is their sibling.
    void app.register(async (api) => {
      await api.register(bearerAuth, verifier)
      api.get('/protected', whoAmI)
      api.get('/write', { onRequest: requireScopes('write:things') }, whoAmI)
      api.get('/any', { onRequest: requireAnyScope('admin', 'write:things') }, whoAmI)
      api.get('/claim-equals', { onRequest: claimEquals('org_id', 'acme') }, whoAmI)
      api.get(
        '/claim-includes',
        { onRequest: claimIncludes('roles', 'editor', 'reviewer') },
        whoAmI,
      )
      api.get('/claim-check', { preHandler: tierCheck() }, whoAmI)
      api.get('/workload-spiffe', { onRequest: spiffeGuard() }, whoAmI)
      api.get('/workload-service-account', { preHandler: accountGuard() }, whoAmI)
      api.get(
        '/two-scopes',
        { onRequest: requireScopes('write:things'), preHandler: requireScopes('admin') },
        whoAmI,
      )
    })
    void app.register(
      async (mounted) => {
        await mounted.register(bearerAuth, verifier)
        mounted.get('/protected', whoAmI)
      },
      { prefix: '/mounted' },
    )
    void app.register(async (scoped) => {
      await scoped.register(bearerAuth, { verifier, challengeScopes: ['read:things'] })
      scoped.get('/scoped-401', whoAmI)
    })
    void app.register(async (optional) => {
      await optional.register(bearerAuth, { verifier, optional: true })
      optional.get('/optional', optionalWhoAmI)
      optional.get('/optional-write', { onRequest: requireScopes('write:things') }, () => ({
        ok: true,
      }))
    })
    return
  }
  // Public and protected routes side by side in one context; scopeChains lets the chained
  // scope hooks of a route find each other without the plugin.
  await app.register(scopeChains)
  const auth = bearerAuthHook(verifier)
  const optional = bearerAuthHook(verifier, { optional: true })
  app.get('/protected', { onRequest: auth }, whoAmI)
  await app.register(
    (mounted, _options, done) => {
      mounted.get('/protected', { onRequest: auth }, whoAmI)
      done()
    },
    { prefix: '/mounted' },
  )
  app.get('/write', { onRequest: [auth, requireScopes('write:things')] }, whoAmI)
  app.get('/any', { preHandler: [auth, requireAnyScope('admin', 'write:things')] }, whoAmI)
  app.get(
    '/scoped-401',
    { onRequest: bearerAuthHook(verifier, { challengeScopes: ['read:things'] }) },
    whoAmI,
  )
  app.get(
    '/two-scopes',
    { onRequest: [auth, requireScopes('write:things'), requireScopes('admin')] },
    whoAmI,
  )
  app.get('/optional', { onRequest: optional }, optionalWhoAmI)
  app.get('/claim-equals', { onRequest: [auth, claimEquals('org_id', 'acme')] }, whoAmI)
  app.get(
    '/claim-includes',
    { onRequest: [auth, claimIncludes('roles', 'editor', 'reviewer')] },
    whoAmI,
  )
  app.get('/claim-check', { preHandler: [auth, tierCheck()] }, whoAmI)
  app.get('/workload-spiffe', { onRequest: [auth, spiffeGuard()] }, whoAmI)
  app.get('/workload-service-account', { preHandler: [auth, accountGuard()] }, whoAmI)
  app.get('/optional-write', { onRequest: [optional, requireScopes('write:things')] }, () => ({
    ok: true,
  }))
}

function fastifyApp(name: string, Fastify: typeof Fastify5, form: Form): ContractAppFactory {
  async function start(options: VerifierOptions, metadata?: ProtectedResourceMetadataOptions) {
    const resourceMetadata =
      metadata === undefined ? undefined : protectedResourceMetadata(metadata)
    const verifier = createVerifier(
      resourceMetadata === undefined ? options : { ...options, resourceMetadata },
    )
    // Trusting proxies makes `request.hostname` follow X-Forwarded-Host: the document must not.
    const app = Fastify({ trustProxy: resourceMetadata !== undefined })
    if (resourceMetadata !== undefined) {
      void app.register(protectedResource(resourceMetadata))
      app.post('/.well-known/oauth-protected-resource/mcp', (_request, reply) =>
        reply.code(405).send({ next: true }),
      )
    }
    app.get('/public', () => ({ ok: true }))
    await protectedRoutes(app, verifier, form)
    return listen(app, () => {
      verifier.close()
    })
  }
  return {
    name: `${name} (${form})`,
    // Fastify's `request`: the Node request under `raw`, and its server.
    isNativeRequest: (request) => {
      const r = request as { raw?: unknown; server?: unknown }
      return r.raw !== undefined && r.server !== undefined
    },
    start: (options) => start(options),
    startWithResourceMetadata: start,
    async startMcp(options) {
      const verifier = createVerifier(options)
      const app = Fastify()
      const origins = originCheck({ allowedOrigins: MCP_ALLOWED_ORIGINS })
      const ok = () => ({ ok: true })
      if (form === 'plugin') {
        // Context hooks run in registration order: the origin before authentication.
        app.addHook('onRequest', origins)
        void app.register(async (api) => {
          await api.register(bearerAuth, verifier)
          api.post('/mcp', { preHandler: toolScopes(MCP_TOOL_SCOPES) }, ok)
        })
      } else {
        const onRequest = [origins, bearerAuthHook(verifier)]
        app.post('/mcp', { onRequest, preHandler: toolScopes(MCP_TOOL_SCOPES) }, ok)
      }
      try {
        return await listen(app, () => {
          verifier.close()
        })
      } finally {
        if (!app.server.listening) await app.close()
      }
    },
    async startMisordered(options, onError) {
      const verifier = createVerifier(options)
      const app = Fastify()
      // Fastify's own error channel: every error a hook or handler passes on reaches onError
      // hooks, then the error handler (Fastify's default here).
      app.addHook('onError', (_request, _reply, error, done) => {
        onError(error)
        done()
      })
      const ok = () => ({ ok: true })
      // The set-up mistake under test: with route hooks, each check before bearerAuthHook;
      // with the plugin, routes in a context it does not cover (a sibling's).
      const auth = bearerAuthHook(verifier)
      const early = (check: KeywardHook) => (form === 'plugin' ? check : [check, auth])
      if (form === 'plugin') {
        void app.register(async (api) => {
          await api.register(bearerAuth, verifier)
        })
      }
      app.get('/early/scopes', { onRequest: early(requireScopes('write:things')) }, ok)
      app.get(
        '/early/any-scope',
        { onRequest: early(requireAnyScope('admin', 'write:things')) },
        ok,
      )
      app.get('/early/claim-equals', { onRequest: early(claimEquals('org_id', 'acme')) }, ok)
      const includes = claimIncludes('roles', 'editor', 'reviewer')
      app.get('/early/claim-includes', { onRequest: early(includes) }, ok)
      app.get('/early/claim-check', { preHandler: early(tierCheck()) }, ok)
      app.get('/early/workload-spiffe', { onRequest: early(spiffeGuard()) }, ok)
      app.get('/early/workload-service-account', { onRequest: early(accountGuard()) }, ok)
      app.post('/early/mcp', { preHandler: early(toolScopes(MCP_TOOL_SCOPES)) }, ok)
      try {
        return await listen(app, () => {
          verifier.close()
        })
      } finally {
        if (!app.server.listening) await app.close()
      }
    },
    async startFromOptions(options) {
      const app = Fastify()
      // The plugin / hook builds (and validates) its own verifier from the options.
      if (form === 'plugin') {
        void app.register(async (api) => {
          await api.register(bearerAuth, options)
          api.get('/protected', whoAmI)
        })
      } else {
        app.get('/protected', { onRequest: bearerAuthHook(options) }, whoAmI)
      }
      try {
        return await listen(app)
      } finally {
        if (!app.server.listening) await app.close()
      }
    },
  }
}

// Without an error handler of the app's own, keyward answers with its JSON body.
for (const [name, Fastify] of [
  [`fastify@${major('fastify')}`, Fastify5],
  [`fastify@${major('fastify4')}`, Fastify4],
] as const) {
  runAdapterContract(fastifyApp(name, Fastify, 'plugin'))
  runAdapterContract(fastifyApp(name, Fastify, 'route hooks'))
}
