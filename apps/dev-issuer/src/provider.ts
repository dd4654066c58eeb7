import { randomBytes } from 'node:crypto'
import Provider, { errors, type AdapterFactory, type Configuration } from 'oidc-provider'
import type { DemoClient, DemoResource } from './demo-registry.js'
import { createMemoryAdapter } from './memory-adapter.js'
import type { SigningKey } from './signing-key.js'

export interface ProviderSettings {
  readonly issuer: string
  /** The published keys, in JWKS order. */
  readonly keys: readonly SigningKey[]
  /** Read per token, so switching the signing key needs no new provider. */
  readonly signingKid: () => string
  readonly clients: readonly DemoClient[]
  readonly resources: readonly DemoResource[]
  readonly tokenTtlSeconds: number
  /** Provider state that outlives a rebuild. */
  readonly persistent: PersistentProviderState
}

/** What every provider instance of one dev issuer shares. */
export interface PersistentProviderState {
  readonly cookieKeys: readonly string[]
  readonly adapter: AdapterFactory
}

/** Random cookie keys and an empty store for {@link ProviderSettings.persistent}. */
export function createPersistentState(): PersistentProviderState {
  return { cookieKeys: [randomBytes(32).toString('base64url')], adapter: createMemoryAdapter() }
}

/**
 * An oidc-provider instance for one published key set. oidc-provider fixes its keystore at
 * construction, so the server builds a new instance whenever the JWKS changes (publish, retire);
 * clients and resources are static and tokens are self-contained JWTs, so nothing is lost.
 *
 * @example
 * ```ts
 * const provider = createProvider({ issuer, keys, signingKid: () => kid, clients, resources,
 *   tokenTtlSeconds: 300, persistent: createPersistentState() })
 * http.createServer(provider.callback())
 * ```
 */
export function createProvider(settings: ProviderSettings): Provider {
  const clientById = new Map(settings.clients.map((client) => [client.clientId, client]))
  const resourceByIndicator = new Map(settings.resources.map((r) => [r.indicator, r]))
  const configuration: Configuration = {
    adapter: settings.persistent.adapter,
    // Every scope any resource knows; each token is then narrowed to its resource's scopes.
    scopes: [...new Set(settings.resources.flatMap((resource) => resource.scopes))],
    jwks: { keys: settings.keys.map((key) => key.privateJwk) },
    clients: settings.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: client.scopes.join(' '),
      // RFC 9449 §5.2: a token request of this client without a proof is refused.
      dpop_bound_access_tokens: client.dpopBound,
    })),
    cookies: { keys: [...settings.persistent.cookieKeys] },
    features: {
      // Interactive logins are out of scope: the demo is machine-to-machine.
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 9449: a token request carrying a `DPoP` proof gets a token bound to the proof's key
      // (`cnf.jkt`, `token_type: DPoP`); proofs are single use at the token endpoint.
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // RFC 8707: the client names the API; no silent default audience.
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? [],
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          const resource = resourceByIndicator.get(indicator)
          if (resource === undefined) throw new errors.InvalidTarget('unknown resource indicator')
          const ttl = clientById.get(client.clientId)?.tokenTtlSeconds ?? settings.tokenTtlSeconds
          return {
            scope: resource.scopes.join(' '),
            audience: resource.indicator,
            accessTokenTTL: ttl,
            // RFC 9068 JWT access tokens (typ at+jwt), signed with the ring's current key.
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256', kid: settings.signingKid() } },
          }
        },
      },
    },
    ttl: {
      ClientCredentials: (_ctx, token) =>
        token.resourceServer?.accessTokenTTL ?? settings.tokenTtlSeconds,
    },
  }
  return new Provider(settings.issuer, configuration)
}
