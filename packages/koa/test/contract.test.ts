import {
  createVerifier,
  protectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
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
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa3, { type Middleware } from 'koa'
import Koa2 from 'koa2'
import { expect, it } from 'vitest'
import {
  bearerAuth,
  claimCheck,
  claimEquals,
  claimIncludes,
  originCheck,
  protectedResource,
  requireAnyScope,
  requireScopes,
  requireServiceAccount,
  requireSpiffeId,
  toolScopes,
  type KeywardState,
} from '../src/index.js'
import { listen, mount, route } from './helpers.js'

const major = (name: string): number => installedMajor(name, import.meta.url)

it('runs the contract on Koa 2 and Koa 3', () => {
  expect([major('koa2'), major('koa')]).toEqual([2, 3])
})

const whoAmI: Middleware<KeywardState> = (ctx) => {
  const { auth } = ctx.state
  ctx.body = { sub: auth?.subject, clientId: auth?.clientId, scopes: auth?.scopes }
}

function koaApp(name: string, Koa: typeof Koa3): ContractAppFactory {
  async function start(options: VerifierOptions, metadata?: ProtectedResourceMetadataOptions) {
    const resourceMetadata =
      metadata === undefined ? undefined : protectedResourceMetadata(metadata)
    const verifier = createVerifier(
      resourceMetadata === undefined ? options : { ...options, resourceMetadata },
    )
    const auth = bearerAuth(verifier)
    const app = new Koa<KeywardState>()
    // Koa logs non-exposed errors (the 503) to stderr; the answers are what is under test.
    app.silent = true
    if (resourceMetadata !== undefined) {
      // Trusting proxies makes `ctx.host` follow X-Forwarded-Host: the document must not.
      app.proxy = true
      app.use(protectedResource(resourceMetadata))
      app.use(async (ctx, next) => {
        if (ctx.method !== 'POST' || ctx.path !== '/.well-known/oauth-protected-resource/mcp') {
          await next()
          return
        }
        ctx.status = 405
        ctx.body = { next: true }
      })
    }
    app.use(
      route('/public', (ctx) => {
        ctx.body = { ok: true }
      }),
    )
    app.use(route('/protected', auth, whoAmI))
    app.use(mount('/mounted', route('/protected', auth, whoAmI)))
    app.use(route('/write', auth, requireScopes('write:things'), whoAmI))
    app.use(route('/any', auth, requireAnyScope('admin', 'write:things'), whoAmI))
    app.use(route('/claim-equals', auth, claimEquals('org_id', 'acme'), whoAmI))
    app.use(route('/claim-includes', auth, claimIncludes('roles', 'editor', 'reviewer'), whoAmI))
    const tierCheck = claimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS })
    app.use(route('/claim-check', auth, tierCheck, whoAmI))
    app.use(route('/workload-spiffe', auth, requireSpiffeId(...CONTRACT_SPIFFE_IDS), whoAmI))
    const accounts = requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)
    app.use(route('/workload-service-account', auth, accounts, whoAmI))
    app.use(
      route('/scoped-401', bearerAuth(verifier, { challengeScopes: ['read:things'] }), whoAmI),
    )
    // @koa/router: its matched layers are how chained scope checks find each other.
    const router = new Router<KeywardState>()
    router.get('/two-scopes', auth, requireScopes('write:things'), requireScopes('admin'), whoAmI)
    app.use(router.routes())
    app.use(
      route('/optional', bearerAuth(verifier, { optional: true }), (ctx) => {
        const { auth } = ctx.state
        ctx.body = auth ? { authenticated: true, sub: auth.subject } : { authenticated: false }
      }),
    )
    app.use(
      route(
        '/optional-write',
        bearerAuth(verifier, { optional: true }),
        requireScopes('write:things'),
        (ctx) => {
          ctx.body = { ok: true }
        },
      ),
    )
    return listen(app.callback(), () => {
      verifier.close()
    })
  }
  return {
    name,
    // Koa's context (what koa-jwt's `getToken` receives): request, response, app and cookies.
    isNativeRequest: (request) => {
      const ctx = request as {
        request?: unknown
        response?: unknown
        app?: unknown
        cookies?: unknown
      }
      return [ctx.request, ctx.response, ctx.app, ctx.cookies].every((part) => part !== undefined)
    },
    start: (options) => start(options),
    startWithResourceMetadata: start,
    async startMcp(options) {
      const verifier = createVerifier(options)
      const app = new Koa<KeywardState>()
      app.silent = true
      const router = new Router<KeywardState>()
      router.post(
        '/mcp',
        originCheck({ allowedOrigins: MCP_ALLOWED_ORIGINS }),
        bearerAuth(verifier),
        bodyParser(),
        toolScopes(MCP_TOOL_SCOPES),
        (ctx) => {
          ctx.body = { ok: true }
        },
      )
      app.use(router.routes())
      return listen(app.callback(), () => {
        verifier.close()
      })
    },
    async startMisordered(options, onError) {
      const verifier = createVerifier(options)
      const auth = bearerAuth(verifier)
      const app = new Koa<KeywardState>()
      // Koa's own error channel: every error thrown down the middleware chain is emitted here.
      app.on('error', onError)
      const ok: Middleware<KeywardState> = (ctx) => {
        ctx.body = { ok: true }
      }
      const tierCheck = claimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS })
      // Each check mounted before bearerAuth: the set-up mistake under test.
      app.use(route('/early/scopes', requireScopes('write:things'), auth, ok))
      app.use(route('/early/any-scope', requireAnyScope('admin', 'write:things'), auth, ok))
      app.use(route('/early/claim-equals', claimEquals('org_id', 'acme'), auth, ok))
      app.use(
        route('/early/claim-includes', claimIncludes('roles', 'editor', 'reviewer'), auth, ok),
      )
      app.use(route('/early/claim-check', tierCheck, auth, ok))
      app.use(route('/early/workload-spiffe', requireSpiffeId(...CONTRACT_SPIFFE_IDS), auth, ok))
      const accounts = requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)
      app.use(route('/early/workload-service-account', accounts, auth, ok))
      const router = new Router<KeywardState>()
      router.post('/early/mcp', bodyParser(), toolScopes(MCP_TOOL_SCOPES), auth, ok)
      app.use(router.routes())
      return listen(app.callback(), () => {
        verifier.close()
      })
    },
    async startFromOptions(options) {
      const app = new Koa<KeywardState>()
      app.silent = true
      // bearerAuth builds (and validates) its own verifier from the options.
      app.use(route('/protected', bearerAuth(options), whoAmI))
      return listen(app.callback())
    },
  }
}

// Koa's own ctx.onerror renders status + headers (+ the message when `expose`).
runAdapterContract(koaApp(`koa@${major('koa')}`, Koa3))
runAdapterContract(koaApp(`koa@${major('koa2')}`, Koa2))
