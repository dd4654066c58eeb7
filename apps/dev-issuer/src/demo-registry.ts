import { randomBytes } from 'node:crypto'

/** A resource server (API) the dev issuer mints tokens for, named by its RFC 8707 indicator. */
export interface DemoResource {
  /** The resource indicator clients send; it becomes the token's `aud`. */
  readonly indicator: string
  /** Scopes a token for this resource may carry. */
  readonly scopes: readonly string[]
}

/** A confidential client of the client credentials grant. */
export interface DemoClient {
  readonly clientId: string
  /** Generated at start; never committed. */
  readonly clientSecret: string
  readonly scopes: readonly string[]
  /** Access token lifetime in seconds; `undefined` uses the issuer's default. */
  readonly tokenTtlSeconds: number | undefined
  /**
   * The client holds a key and every token request must carry a DPoP proof of it (RFC 9449 §5,
   * client metadata `dpop_bound_access_tokens`); its tokens are bound to that key (`cnf.jkt`).
   */
  readonly dpopBound: boolean
  readonly description: string
}

/** The scopes every demo API understands. */
export const DEMO_SCOPES = ['notes:read', 'notes:write'] as const

/** The demo APIs, one audience each, so a token for one API is refused by the others. */
export const DEMO_RESOURCES: readonly DemoResource[] = [
  { indicator: 'urn:keyward:demo:express-api', scopes: DEMO_SCOPES },
  { indicator: 'urn:keyward:demo:koa-api', scopes: DEMO_SCOPES },
  { indicator: 'urn:keyward:demo:nest-api', scopes: DEMO_SCOPES },
  { indicator: 'urn:keyward:demo:fastify-api', scopes: DEMO_SCOPES },
]

/**
 * Throws a `TypeError` at start for a resource no client could ask for: RFC 8707 §2 wants an
 * absolute URI without a fragment, and two resources with one indicator would be ambiguous.
 *
 * @example
 * ```ts
 * assertValidResources([{ indicator: 'urn:keyward:demo:koa-api', scopes: ['notes:read'] }])
 * ```
 */
export function assertValidResources(resources: readonly DemoResource[]): void {
  const seen = new Set<string>()
  for (const { indicator } of resources) {
    // A `#` can only start a fragment: it is not allowed anywhere else in a URI (RFC 3986 §3).
    if (!URL.canParse(indicator) || indicator.includes('#')) {
      throw new TypeError(
        `"resources": "${indicator}" is not an absolute URI without a fragment (RFC 8707 §2)`,
      )
    }
    if (seen.has(indicator)) throw new TypeError(`"resources": "${indicator}" is listed twice`)
    seen.add(indicator)
  }
}

/**
 * The demo clients: a reader, a writer, a reader whose tokens expire in seconds (for showing
 * expiry without waiting minutes), and a reader holding a key whose tokens are DPoP-bound.
 * Secrets are random per start.
 *
 * @example
 * ```ts
 * const clients = createDemoClients({ shortTokenTtlSeconds: 2 })
 * ```
 */
export function createDemoClients(options: {
  readonly shortTokenTtlSeconds: number
}): DemoClient[] {
  const secret = (): string => randomBytes(24).toString('base64url')
  return [
    {
      clientId: 'demo-reader',
      clientSecret: secret(),
      scopes: ['notes:read'],
      tokenTtlSeconds: undefined,
      dpopBound: false,
      description: 'reads notes',
    },
    {
      clientId: 'demo-writer',
      clientSecret: secret(),
      scopes: ['notes:read', 'notes:write'],
      tokenTtlSeconds: undefined,
      dpopBound: false,
      description: 'reads and writes notes',
    },
    {
      clientId: 'demo-short-lived',
      clientSecret: secret(),
      scopes: ['notes:read'],
      tokenTtlSeconds: options.shortTokenTtlSeconds,
      dpopBound: false,
      description: `reads notes; tokens live ${options.shortTokenTtlSeconds} s`,
    },
    {
      clientId: 'demo-dpop',
      clientSecret: secret(),
      scopes: ['notes:read'],
      tokenTtlSeconds: undefined,
      dpopBound: true,
      description: 'reads notes; holds a key, tokens DPoP-bound (cnf.jkt)',
    },
  ]
}
