import {
  DEMO_RESOURCES,
  DEMO_SCOPES,
  requestToken,
  startDevIssuer,
  type DevIssuer,
} from '@keyward/dev-issuer'
import { DpopClient } from '@keyward/test-utils'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ChallengeScopeProvider,
  listenMcpServer,
  mcpClientTransport,
  runMcpChecks,
  stepUpCheck,
  type Refusal,
  type RunningMcpServer,
} from '../src/index.js'

const OTHER_API = 'urn:keyward:demo:express-api'
/** DPoP is allowed (RFC 9449 §7.1): every challenge offers it next to Bearer, with its algorithms. */
const DPOP_ALGS = 'algs="ES256 EdDSA PS256 RS256"'
/** The DPoP challenge when the error is on the Bearer one (or there is none). */
const dpopChallenge = () => `DPoP resource_metadata="${mcp.resourceMetadata.url}", ${DPOP_ALGS}`

// A real authorization server: the dev issuer (oidc-provider, client credentials, RFC 8707
// resource indicators, RS256 JWT access tokens), told about this MCP server as a resource.
let issuer: DevIssuer
let mcp: RunningMcpServer

beforeAll(async () => {
  // The canonical URL holds the port, and the issuer must know the resource before minting
  // tokens for it: bind first, then start the issuer, then serve.
  const listening = await listenMcpServer({ port: 0 })
  issuer = await startDevIssuer({
    resources: [...DEMO_RESOURCES, { indicator: listening.resource, scopes: DEMO_SCOPES }],
  })
  mcp = listening.serve({ issuer: issuer.url })
})

afterAll(async () => {
  await mcp.close()
  await issuer.close()
})

async function token(clientId: string, resource: string): Promise<string> {
  const client = issuer.clients.find((candidate) => candidate.clientId === clientId)
  if (client === undefined) throw new Error(`no dev client ${clientId}`)
  const { accessToken } = await requestToken({
    tokenEndpoint: issuer.tokenEndpoint,
    clientId,
    clientSecret: client.clientSecret,
    resource,
    scope: client.scopes.join(' '),
  })
  return accessToken
}

/** An SDK client over Streamable HTTP; `refusal()` is the last non-2xx answer it received. */
function sdkClient(options: Parameters<typeof mcpClientTransport>[1] = {}) {
  let refusal: Refusal | undefined
  const client = new Client({ name: 'e2e', version: '1.0.0' })
  const transport = mcpClientTransport(mcp.url, {
    ...options,
    onRefusal: (seen) => {
      refusal = seen
    },
  })
  return {
    client,
    connect: () => client.connect(transport),
    refusal: () => refusal,
  }
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  const [first] = result.content as { type: string; text: string }[]
  return JSON.parse(first?.text ?? 'null')
}

describe('MCP server protected by @keyward/express, with the SDK client and the dev issuer', () => {
  it('refuses a connection without a token: 401 naming the base scope and resource_metadata', async () => {
    const anonymous = sdkClient()
    const failure = await anonymous.connect().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StreamableHTTPError)
    expect((failure as StreamableHTTPError).code).toBe(401)
    expect(anonymous.refusal()).toEqual({
      status: 401,
      error: undefined,
      // MCP "Scope Selection Strategy": the client asks for the 401's scope first.
      scope: 'notes:read',
      resourceMetadata: mcp.resourceMetadata.url,
    })
    const raw = await fetch(mcp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(raw.status).toBe(401)
    expect(raw.headers.get('www-authenticate')).toBe(
      `Bearer scope="notes:read", resource_metadata="${mcp.resourceMetadata.url}", ${dpopChallenge()}`,
    )
  })

  it('serves the RFC 9728 metadata at both well-known paths, naming the dev issuer', async () => {
    const origin = new URL(mcp.url).origin
    expect(mcp.resourceMetadata.url).toBe(`${origin}/.well-known/oauth-protected-resource/mcp`)
    for (const url of [
      mcp.resourceMetadata.url,
      `${origin}/.well-known/oauth-protected-resource`,
    ]) {
      const response = await fetch(url)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        resource: mcp.url,
        authorization_servers: [issuer.url],
        // Minimal: notes:write comes by step-up.
        scopes_supported: ['notes:read'],
        bearer_methods_supported: ['header'],
        resource_name: 'keyward notes (MCP)',
        // RFC 9728 §2: DPoP clients learn the proof algorithms; Bearer stays allowed.
        dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'PS256', 'RS256'],
        dpop_bound_access_tokens_required: false,
      })
    }
  })

  it('lets a token for the advertised resource connect, list tools and call them', async () => {
    const metadata = (await (await fetch(mcp.resourceMetadata.url)).json()) as { resource: string }
    const reader = sdkClient({ token: await token('demo-reader', metadata.resource) })
    await reader.connect()
    try {
      const { tools } = await reader.client.listTools()
      expect(tools.map((tool) => tool.name).sort()).toEqual(['list_notes', 'whoami', 'write_note'])
      const who = textOf(await reader.client.callTool({ name: 'whoami' }))
      expect(who).toMatchObject({ clientId: 'demo-reader', scopes: ['notes:read'] })
      expect(textOf(await reader.client.callTool({ name: 'list_notes' }))).toEqual([])
    } finally {
      await reader.client.close()
    }
  })

  it('answers a tool call needing a scope the token lacks with 403 insufficient_scope', async () => {
    const readerToken = await token('demo-reader', mcp.url)
    const reader = sdkClient({ token: readerToken })
    await reader.connect()
    try {
      const failure = await reader.client
        .callTool({ name: 'write_note', arguments: { text: 'not allowed' } })
        .catch((error: unknown) => error)
      expect((failure as StreamableHTTPError).code).toBe(403)
      expect(reader.refusal()).toEqual({
        status: 403,
        error: 'insufficient_scope',
        scope: 'notes:write',
        resourceMetadata: mcp.resourceMetadata.url,
      })
      // The tool did not run.
      expect(textOf(await reader.client.callTool({ name: 'list_notes' }))).toEqual([])
    } finally {
      await reader.client.close()
    }
    const raw = await fetch(mcp.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readerToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'write_note', arguments: { text: 'raw' } },
      }),
    })
    expect(raw.status).toBe(403)
    expect(raw.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="insufficient scope", scope="notes:write", resource_metadata="${mcp.resourceMetadata.url}", ${dpopChallenge()}`,
    )
  })

  it('lets a token with notes:write call write_note, signed with its client id', async () => {
    const writer = sdkClient({ token: await token('demo-writer', mcp.url) })
    await writer.connect()
    try {
      const note = textOf(
        await writer.client.callTool({ name: 'write_note', arguments: { text: 'hello' } }),
      )
      expect(note).toMatchObject({ text: 'hello', author: 'demo-writer' })
      const notes = textOf(await writer.client.callTool({ name: 'list_notes' }))
      expect(notes).toEqual([note])
    } finally {
      await writer.client.close()
    }
  })

  it('refuses a valid token minted for another audience: 401 invalid_token', async () => {
    const foreign = sdkClient({ token: await token('demo-writer', OTHER_API) })
    const failure = await foreign.connect().catch((error: unknown) => error)
    expect((failure as StreamableHTTPError).code).toBe(401)
    expect(foreign.refusal()).toMatchObject({ status: 401, error: 'invalid_token' })
  })

  it("runs the SDK's own OAuth flow: 401 → metadata → issuer → token for the resource and the 401's scope, then steps up on 403", async () => {
    const writer = issuer.clients.find((client) => client.clientId === 'demo-writer')
    const authProvider = new ChallengeScopeProvider({
      clientId: 'demo-writer',
      clientSecret: writer?.clientSecret ?? '',
      // Credentials go only to this authorization server, whatever a resource advertises.
      expectedIssuer: issuer.url,
    })
    const claimsOf = () => {
      const { access_token } = authProvider.tokens() ?? { access_token: '' }
      const [, payload = ''] = access_token.split('.')
      return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    }
    const refusals: Refusal[] = []
    const client = new Client({ name: 'e2e', version: '1.0.0' })
    const transport = mcpClientTransport(mcp.url, {
      authProvider,
      onRefusal: (refusal) => {
        refusals.push(refusal)
        authProvider.requestScopes(refusal.scope)
      },
    })
    await client.connect(transport)
    try {
      // The SDK asked for the 401's scope only, though demo-writer may have notes:write.
      const who = textOf(await client.callTool({ name: 'whoami' }))
      expect(who).toMatchObject({ clientId: 'demo-writer', scopes: ['notes:read'] })
      // The token the SDK obtained names this server (RFC 8707) and nothing else.
      expect(claimsOf()).toMatchObject({ aud: mcp.url, scope: 'notes:read' })
      // Step-up: write_note → 403 insufficient_scope scope="notes:write" → the SDK re-authorizes
      // with that scope added and retries the call, which now runs.
      const note = textOf(
        await client.callTool({ name: 'write_note', arguments: { text: 'stepped up' } }),
      )
      expect(note).toMatchObject({ text: 'stepped up', author: 'demo-writer' })
      // (Discovery probes and the GET stream the server does not offer are 404 / 405.)
      expect(
        refusals.filter((refusal) => refusal.status === 401 || refusal.status === 403),
      ).toEqual([
        {
          status: 401,
          error: undefined,
          scope: 'notes:read',
          resourceMetadata: mcp.resourceMetadata.url,
        },
        {
          status: 403,
          error: 'insufficient_scope',
          scope: 'notes:write',
          resourceMetadata: mcp.resourceMetadata.url,
        },
      ])
      expect(claimsOf()).toMatchObject({ aud: mcp.url, scope: 'notes:read notes:write' })
    } finally {
      await client.close()
    }
  })

  it('refuses a request from a foreign Origin with 403 and a JSON-RPC error, token or not', async () => {
    const writerToken = await token('demo-writer', mcp.url)
    const anonymous: Record<string, string> = {}
    for (const headers of [anonymous, { authorization: `Bearer ${writerToken}` }]) {
      const response = await fetch(mcp.url, {
        method: 'POST',
        headers: {
          ...headers,
          origin: 'https://rebinding.example',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      })
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toBeNull()
      expect(await response.json()).toEqual({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'origin not allowed' },
        id: null,
      })
    }
  })

  it('refuses an Mcp-Name header that disagrees with the tool called: 400 HeaderMismatch', async () => {
    const response = await fetch(mcp.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token('demo-reader', mcp.url)}`,
        'mcp-method': 'tools/call',
        'mcp-name': 'whoami',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/call',
        params: { name: 'write_note', arguments: { text: 'smuggled' } },
      }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32020 }, id: 5 })
  })

  describe('DPoP (RFC 9449)', () => {
    /** demo-dpop's token for this server, bound by the dev issuer to `key` (`cnf.jkt`). */
    async function boundToken(key: DpopClient): Promise<string> {
      const client = issuer.clients.find((candidate) => candidate.clientId === 'demo-dpop')!
      const { accessToken, tokenType } = await requestToken({
        tokenEndpoint: issuer.tokenEndpoint,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        resource: mcp.url,
        scope: 'notes:read',
        dpopProof: key.proof({ htm: 'POST', htu: issuer.tokenEndpoint }),
      })
      expect(tokenType).toBe('DPoP')
      return accessToken
    }

    /** A raw `tools/call whoami` with these headers. */
    function whoami(headers: Record<string, string>): Promise<Response> {
      return fetch(mcp.url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'whoami' },
        }),
      })
    }

    it('serves an SDK client that sends its bound token with a fresh proof on every request', async () => {
      const key = await DpopClient.create('ES256')
      const accessToken = await boundToken(key)
      const client = new Client({ name: 'e2e-dpop', version: '1.0.0' })
      const transport = new StreamableHTTPClientTransport(new URL(mcp.url), {
        // A DPoP client: `Authorization: DPoP <token>` and a proof for this method and URL.
        fetch: (input, init) => {
          const url = new URL(input instanceof Request ? input.url : input)
          const headers = new Headers(init?.headers)
          const method = init?.method ?? 'GET'
          const proof = key.headers(method, `${url.origin}${url.pathname}`, accessToken)
          for (const [name, value] of Object.entries(proof)) headers.set(name, value)
          return fetch(input, { ...init, headers })
        },
      })
      await client.connect(transport)
      try {
        const who = textOf(await client.callTool({ name: 'whoami' }))
        expect(who).toMatchObject({
          clientId: 'demo-dpop',
          scopes: ['notes:read'],
          binding: { type: 'dpop', jkt: key.jkt },
        })
        expect(textOf(await client.callTool({ name: 'list_notes' }))).toBeInstanceOf(Array)
      } finally {
        await client.close()
      }
    })

    it('refuses the bound token sent as Bearer: 401 invalid_token on the Bearer challenge', async () => {
      const accessToken = await boundToken(await DpopClient.create('ES256'))
      const response = await whoami({ authorization: `Bearer ${accessToken}` })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_token", error_description="sender-constrained access token presented as bearer", scope="notes:read", resource_metadata="${mcp.resourceMetadata.url}", ${dpopChallenge()}`,
      )
    })

    it('refuses a replayed proof: 401 invalid_dpop_proof on the DPoP challenge', async () => {
      const key = await DpopClient.create('ES256')
      const headers = key.headers('POST', mcp.url, await boundToken(key))
      const first = await whoami(headers)
      expect(first.status).toBe(200)
      expect(await first.json()).toMatchObject({ jsonrpc: '2.0', id: 7, result: {} })
      const replayed = await whoami(headers)
      expect(replayed.status).toBe(401)
      expect(replayed.headers.get('www-authenticate')).toBe(
        // The scope goes with the error, on the challenge of the scheme the request used.
        `Bearer resource_metadata="${mcp.resourceMetadata.url}", DPoP error="invalid_dpop_proof", error_description="DPoP proof already used", scope="notes:read", resource_metadata="${mcp.resourceMetadata.url}", ${DPOP_ALGS}`,
      )
    })
  })

  it('sums up the step-up the demo tour shows in one line', async () => {
    const writer = issuer.clients.find((client) => client.clientId === 'demo-writer')!
    expect(await stepUpCheck(mcp.url, { issuer: issuer.url, ...writer })).toBe(
      '401 scope="notes:read", 403 scope="notes:write"; token [notes:read] → [notes:read notes:write]; written by demo-writer',
    )
  })

  it('passes every check the demo tour runs', async () => {
    const rows = await runMcpChecks({
      url: mcp.url,
      tokens: {
        reader: await token('demo-reader', mcp.url),
        writer: await token('demo-writer', mcp.url),
        foreign: await token('demo-writer', OTHER_API),
      },
    })
    expect(rows.filter((row) => !row.ok)).toEqual([])
    expect(rows).toHaveLength(9)
  })
})
