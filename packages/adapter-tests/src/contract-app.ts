import type { ProtectedResourceMetadataOptions, VerifierOptions } from '@keyward/core'
import type { EarlyRoute } from './contract/route-order.js'

/**
 * A running app under contract test.
 *
 * @example
 * ```ts
 * const app: ContractApp = { url: `http://127.0.0.1:${port}`, close: () => stop() }
 * ```
 */
export interface ContractApp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  /** Stops the server (idle keep-alive sockets included) and closes the verifier. */
  close(): Promise<void>
}

/**
 * Starts one framework's app for {@link runAdapterContract}.
 *
 * @example
 * ```ts
 * const factory: ContractAppFactory = {
 *   name: 'express@5',
 *   async start(options) {
 *     const verifier = createVerifier(options)
 *     const app = express()
 *     app.get('/protected', bearerAuth(verifier), (req, res) => res.json({ sub: req.auth?.subject }))
 *     return listen(app, verifier)
 *   },
 * }
 * ```
 */
export interface ContractAppFactory {
  /** Framework and major, e.g. `'express@5'`. */
  readonly name: string
  /**
   * Start a real app on 127.0.0.1:0 with these routes:
   * - `GET /public`: no auth → 200 `{"ok":true}`
   * - `GET /protected`: bearer auth → 200 `{"sub", "clientId", "scopes"}`
   * - `GET /write`: bearer auth + all of scopes `['write:things']` → 200
   * - `GET /any`: bearer auth + any of `['admin', 'write:things']` → 200
   * - `GET /optional`: optional bearer auth → 200 `{"authenticated": boolean, "sub"?}`
   * - `GET /optional-write`: optional bearer auth + all of `['write:things']` → 200 `{"ok":true}`
   * - `GET /claim-equals`: bearer auth + `claimEquals('org_id', 'acme')` → as `/protected`
   * - `GET /claim-includes`: bearer auth + `claimIncludes('roles', 'editor', 'reviewer')` → as
   *   `/protected`
   * - `GET /claim-check`: bearer auth + `claimCheck(contractClaimPredicate, { timeoutMs:
   *   CONTRACT_CLAIM_TIMEOUT_MS })` → as `/protected`
   *   (Nest: `@ClaimEquals`, `@ClaimIncludes`, `@ClaimCheck` with the same arguments)
   * - `GET /scoped-401`: bearer auth whose 401s name `read:things` (the `challengeScopes` option
   *   of `bearerAuth`; Nest: `@Scopes('read:things')`) → 200
   * - `GET /two-scopes`: bearer auth + two chained scope checks, all of `['write:things']` then
   *   all of `['admin']` (Nest: `@Scopes('write:things')` on the method, `@Scopes('admin')` on
   *   its controller) → 200
   * - `GET /mounted/protected`: as `/protected`, mounted the framework's way where it has one, so
   *   the handler's router sees `/protected` (Express `app.use('/mounted', router)`, Koa
   *   koa-mount, Fastify `register(plugin, { prefix: '/mounted' })`; Nest: a controller at
   *   `mounted`). DPoP's `htu` must still be compared with `/mounted/protected`.
   * - `GET /workload-spiffe`: bearer auth + `requireSpiffeId(...CONTRACT_SPIFFE_IDS)` (Nest:
   *   `@SpiffeIds`) → as `/protected`
   * - `GET /workload-service-account`: bearer auth +
   *   `requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)` (Nest: `@ServiceAccounts`) → as
   *   `/protected`
   *
   * Every route uses ONE verifier built from `verifierOptions` (or the same options).
   */
  start(verifierOptions: VerifierOptions): Promise<ContractApp>
  /**
   * Whether authentication knows a route's scope rules before it runs, so that the 401 of a
   * scoped route (`/write` without a token) names them (Nest: `@Scopes()`). Elsewhere the
   * route's 401 names the scopes of `bearerAuth`'s `challengeScopes` option, or the verifier's.
   */
  readonly routeScopesOn401?: boolean
  /**
   * Whether `request` is the framework's own request object, the one the `getToken` option
   * must receive (Express `req`, Koa `ctx`, Fastify `request`, Nest: its platform's request).
   * When present, the token-sources topic refuses tokens handed over in anything else.
   */
  isNativeRequest?(request: unknown): boolean
  /**
   * Optional: start the same routes as {@link start}, their verifier built from
   * `{ ...verifierOptions, resourceMetadata: protectedResourceMetadata(metadata) }`, plus:
   * - RFC 9728 metadata served the adapter's way (middleware before the routes, controller),
   *   `GET`/`HEAD` on each of its paths, publicly;
   * - `POST /.well-known/oauth-protected-resource/mcp`: no auth → 405 `{"next":true}`, reached
   *   only when the metadata handler leaves other methods to the app's other routes.
   *
   * Where the framework can, trust `X-Forwarded-*` (Express `trust proxy`, Koa `proxy`, Fastify
   * `trustProxy`), so a
   * document built from the request would show it. When present, {@link runAdapterContract}
   * also checks the protected-resource contract.
   */
  startWithResourceMetadata?(
    verifierOptions: VerifierOptions,
    metadata: ProtectedResourceMetadataOptions,
  ): Promise<ContractApp>
  /**
   * Optional: start an app with only `GET /protected` (as in {@link start}) behind auth that
   * builds its own verifier from `verifierOptions` (e.g. `bearerAuth(options)`). Invalid options
   * must make it throw or reject, before any request. When present, {@link runAdapterContract}
   * checks that the verifier is built once and reused.
   */
  startFromOptions?(verifierOptions: VerifierOptions): Promise<ContractApp>
  /**
   * Optional: start an MCP-style app on a verifier built from `verifierOptions`, with one route:
   * - `POST /mcp`: `originCheck({ allowedOrigins: MCP_ALLOWED_ORIGINS })`, then bearer auth, then
   *   the JSON body parsed the framework's way, then `toolScopes(MCP_TOOL_SCOPES)` → 200
   *   `{"ok":true}` (Nest: the origin guard, `BearerAuthGuard`, the tool-scopes guard).
   *
   * When present, {@link runAdapterContract} checks the origin and per-tool scope contracts.
   */
  startMcp?(verifierOptions: VerifierOptions): Promise<ContractApp>
  /**
   * Optional: start an app whose route checks run BEFORE bearer auth (a set-up mistake), on a
   * verifier built from `verifierOptions`, handing every error the app's error channel sees to
   * `onError` and then answering it the framework's default way (Express: an error middleware
   * that passes it on; Koa: a listener of the app's `error` event; Fastify: an `onError` hook;
   * Nest: a global exception filter extending `BaseExceptionFilter`). Each route is the check,
   * then bearer auth, then a handler answering 200 `{"ok":true}`:
   * - `GET /early/scopes`: `requireScopes('write:things')`
   * - `GET /early/any-scope`: `requireAnyScope('admin', 'write:things')`
   * - `GET /early/claim-equals`: `claimEquals('org_id', 'acme')`
   * - `GET /early/claim-includes`: `claimIncludes('roles', 'editor', 'reviewer')`
   * - `GET /early/claim-check`: `claimCheck(contractClaimPredicate, { timeoutMs:
   *   CONTRACT_CLAIM_TIMEOUT_MS })`
   * - `GET /early/workload-spiffe`: `requireSpiffeId(...CONTRACT_SPIFFE_IDS)`
   * - `GET /early/workload-service-account`: `requireServiceAccount(...CONTRACT_SERVICE_ACCOUNTS)`
   * - `POST /early/mcp`: the JSON body parsed, `toolScopes(MCP_TOOL_SCOPES)`
   *
   * When present, {@link runAdapterContract} checks the route-order contract on the routes of
   * {@link earlyRoutes}.
   */
  startMisordered?(
    verifierOptions: VerifierOptions,
    onError: (error: unknown) => void,
  ): Promise<ContractApp>
  /**
   * The routes {@link startMisordered} serves, each with the name of its check as the adapter
   * exports it (the `check` of the `RouteOrderError`).
   * @defaultValue every route listed there, named as in Express, Koa and Fastify
   */
  readonly earlyRoutes?: Readonly<Partial<Record<EarlyRoute, string>>>
}
