import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { SERVER_INFO } from './app.js'
import { mcpClientTransport, type Refusal } from './checks.js'

/** A confidential client of the authorization server that may get `notes:write`. */
export interface StepUpClient {
  /** The authorization server's issuer: credentials go there only, whatever a resource says. */
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
}

/**
 * The SDK's client-credentials provider, asking for the scopes the server's challenges name (MCP
 * "Scope Selection Strategy"), plus those granted before on step-up. The SDK (1.32) runs the 401
 * and 403 `insufficient_scope` re-authorization and retry itself, but its client-credentials token
 * request sends the provider's fixed `clientMetadata.scope`, not the challenge's.
 *
 * @example
 * ```ts
 * const provider = new ChallengeScopeProvider({ clientId, clientSecret, expectedIssuer })
 * mcpClientTransport(url, { authProvider: provider, onRefusal: (r) => provider.requestScopes(r.scope) })
 * ```
 */
export class ChallengeScopeProvider extends ClientCredentialsProvider {
  #scopes = new Set<string>()

  requestScopes(scope: string | undefined): void {
    for (const name of scope?.split(' ') ?? []) if (name !== '') this.#scopes.add(name)
  }

  override get clientMetadata() {
    return { ...super.clientMetadata, scope: [...this.#scopes].join(' ') || undefined }
  }
}

/**
 * The SDK's own OAuth flow with step-up, summed up in one line: connect without a token (401
 * naming `notes:read`), get a token for that scope, call `write_note` (403 `insufficient_scope`
 * naming `notes:write`), get a token with it added, and the retried call writes the note.
 *
 * @example
 * ```ts
 * await stepUpCheck(url, { issuer, clientId: 'demo-writer', clientSecret })
 * // '401 scope="notes:read", 403 scope="notes:write"; token [notes:read] → [notes:read notes:write]; written by demo-writer'
 * ```
 */
export async function stepUpCheck(url: string, credentials: StepUpClient): Promise<string> {
  const provider = new ChallengeScopeProvider({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    expectedIssuer: credentials.issuer,
  })
  const challenges: string[] = []
  const onRefusal = (refusal: Refusal): void => {
    // Discovery probes and the GET stream the server does not offer are 404 / 405.
    if (refusal.status !== 401 && refusal.status !== 403) return
    challenges.push(`${String(refusal.status)} scope="${refusal.scope ?? ''}"`)
    provider.requestScopes(refusal.scope)
  }
  const tokenScope = (): string => {
    const [, payload = ''] = (provider.tokens()?.access_token ?? '').split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString() || '{}') as {
      scope?: string
    }
    return claims.scope ?? ''
  }
  const client = new Client({ name: 'keyward-mcp-step-up', version: SERVER_INFO.version })
  try {
    await client.connect(mcpClientTransport(url, { authProvider: provider, onRefusal }))
    const before = tokenScope()
    const result = await client.callTool({ name: 'write_note', arguments: { text: 'stepped up' } })
    const [first] = result.content as { type: string; text?: string }[]
    const note = JSON.parse(first?.text ?? '{}') as { author?: string }
    return `${challenges.join(', ')}; token [${before}] → [${tokenScope()}]; written by ${note.author ?? '?'}`
  } catch (error) {
    const status = error instanceof StreamableHTTPError ? String(error.code) : String(error)
    return `${challenges.join(', ')}; failed: ${status}`
  } finally {
    await client.close()
  }
}
