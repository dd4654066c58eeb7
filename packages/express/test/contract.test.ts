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
  listen,
  MCP_ALLOWED_ORIGINS,
  MCP_TOOL_SCOPES,
  runAdapterContract,
  type ContractAppFactory,
} from '@keyward/adapter-tests'
import express5, { type ErrorRequestHandler, type RequestHandler } from 'express'
import express4 from 'express4'
import { expect, it } from 'vitest'
import {
  bearerAuth,
  claimCheck,
  claimEquals,
  claimIncludes,
  keywardErrorHandler,
  originCheck,
  protectedResource,
  requireAnyScope,
  requireScopes,
  requireServiceAccount,
  requireSpiffeId,
  toolScopes,
} from '../src/index.js'

const major = (name: string): number => installedMajor(name, import.meta.url)

function isExpressRequest(request: unknown): boolean {
  const r = request as { get?: unknown; res?: unknown; app?: unknown }
  return typeof r.get === 'function' && r.res !== undefined && r.app !== undefined
}

it('runs the contract on Express 4 and Express 5', () => {
  expect([major('express4'), major('express')]).toEqual([4, 5])
})

const whoAmI: RequestHandler = (req, res) => {
  res.json({ sub: req.auth?.subject, clientId: req.auth?.clientId, scopes: req.auth?.scopes })
}

function expressApp(
  name: string,
  express: typeof express5,
  { jsonErrors }: { jsonErrors: boolean },
): ContractAppFactory {
  async function start(options: VerifierOptions, metadata?: ProtectedResourceMetadataOptions) {
    const resourceMetadata =
      metadata === undefined ? undefined : protectedResourceMetadata(metadata)
    const verifier = createVerifier(
      resourceMetadata === undefined ? options : { ...options, resourceMetadata },
    )
    const auth = bearerAuth(verifier)
    const app = express()
    if (resourceMetadata !== undefined) {
      // Trusting proxies makes `req.hostname` follow X-Forwarded-Host: the document must not.
      app.set('trust proxy', true)
      app.use(protectedResource(resourceMetadata))
      app.post('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
        res.status(405).json({ next: true })
      })
    }
    app.get('/public', (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/protected', auth, whoAmI)
    app.get('/write', auth, requireScopes('write:things'), whoAmI)
    app.get('/any', auth, requireAnyScope('admin', 'write:things'), whoAmI)
    app.get('/claim-equals', auth, claimEquals('org_id', 'acme'), whoAmI)
    app.get('/claim-includes', auth, claimIncludes('roles', 'editor', 'reviewer'), whoAmI)
    const tierCheck = claimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS })
    app.get('/claim-check', auth, tierCheck, whoAmI)
    app.get('/scoped-401', bearerAuth(verifier, { challengeScopes: ['read:things'] }), whoAmI)
    app.get('/two-scopes', auth, requireScopes('write:things'), requireScopes('admin'), whoAmI)
    app.get('/workload-spiffe', auth, requireSpiffeId(...CONTRACT_SPIFFE_IDS), whoAmI)
    const accounts = requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)
    app.get('/workload-service-account', auth, accounts, whoAmI)
    // A mounted router sees `/protected` in `req.url`; `req.originalUrl` keeps the mount point.
    const mounted = express.Router()
    mounted.get('/protected', auth, whoAmI)
    app.use('/mounted', mounted)
    app.get('/optional', bearerAuth(verifier, { optional: true }), (req, res) => {
      const { auth } = req
      res.json(auth ? { authenticated: true, sub: auth.subject } : { authenticated: false })
    })
    app.get(
      '/optional-write',
      bearerAuth(verifier, { optional: true }),
      requireScopes('write:things'),
      (_req, res) => {
        res.json({ ok: true })
      },
    )
    if (jsonErrors) app.use(keywardErrorHandler())
    return listen(app, () => {
      verifier.close()
    })
  }
  return {
    name,
    // Express's `req`: its own `get`, with the app and response attached.
    isNativeRequest: (request) => isExpressRequest(request),
    start: (options) => start(options),
    startWithResourceMetadata: start,
    async startMcp(options) {
      const verifier = createVerifier(options)
      const app = express()
      app.post(
        '/mcp',
        originCheck({ allowedOrigins: MCP_ALLOWED_ORIGINS }),
        bearerAuth(verifier),
        express.json(),
        toolScopes(MCP_TOOL_SCOPES),
        (_req, res) => {
          res.json({ ok: true })
        },
      )
      if (jsonErrors) app.use(keywardErrorHandler())
      return listen(app, () => {
        verifier.close()
      })
    },
    async startMisordered(options, onError) {
      const verifier = createVerifier(options)
      const auth = bearerAuth(verifier)
      const app = express()
      const ok: RequestHandler = (_req, res) => {
        res.json({ ok: true })
      }
      const tierCheck = claimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS })
      // Each check mounted before bearerAuth: the set-up mistake under test.
      app.get('/early/scopes', requireScopes('write:things'), auth, ok)
      app.get('/early/any-scope', requireAnyScope('admin', 'write:things'), auth, ok)
      app.get('/early/claim-equals', claimEquals('org_id', 'acme'), auth, ok)
      app.get('/early/claim-includes', claimIncludes('roles', 'editor', 'reviewer'), auth, ok)
      app.get('/early/claim-check', tierCheck, auth, ok)
      app.get('/early/workload-spiffe', requireSpiffeId(...CONTRACT_SPIFFE_IDS), auth, ok)
      const accounts = requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)
      app.get('/early/workload-service-account', accounts, auth, ok)
      app.post('/early/mcp', express.json(), toolScopes(MCP_TOOL_SCOPES), auth, ok)
      // Sees every error, then leaves it to the next handler (Express's default one last).
      const record: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
        onError(error)
        next(error)
      }
      app.use(record)
      if (jsonErrors) app.use(keywardErrorHandler())
      return listen(app, () => {
        verifier.close()
      })
    },
    async startFromOptions(options) {
      const app = express()
      // bearerAuth builds (and validates) its own verifier from the options.
      app.get('/protected', bearerAuth(options), whoAmI)
      if (jsonErrors) app.use(keywardErrorHandler())
      return listen(app)
    },
  }
}

// Express's default error handler renders status + headers; keywardErrorHandler adds the
// RFC 6750 JSON body. Both, on both supported majors.
const express5Name = `express@${major('express')}`
const express4Name = `express@${major('express4')}`
runAdapterContract(expressApp(express5Name, express5, { jsonErrors: false }))
runAdapterContract(expressApp(express4Name, express4, { jsonErrors: false }))
runAdapterContract(
  expressApp(`${express5Name} + keywardErrorHandler`, express5, { jsonErrors: true }),
)
runAdapterContract(
  expressApp(`${express4Name} + keywardErrorHandler`, express4, { jsonErrors: true }),
)
