/** What the tour reads from an API's answer. */
export interface Answer {
  readonly status: number
  /** `error` of the `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), if any. */
  readonly error: string | undefined
  /** `error_description` of the challenge: keyward's fixed text for the failure. */
  readonly description: string | undefined
  readonly retryAfter: string | undefined
  readonly body: unknown
}

/**
 * One request to a demo API with an optional bearer token and JSON body. A JSON body is sent
 * the way MCP's Streamable HTTP transport wants it: the client accepts JSON and SSE answers.
 *
 * @example
 * ```ts
 * const { status, error } = await call(`${url}/me`, { token })
 * await call(mcpUrl, { method: 'POST', token, json: { jsonrpc: '2.0', id: 1, method: 'tools/list' } })
 * ```
 */
export async function call(
  url: string,
  options: {
    readonly method?: string
    readonly token?: string | undefined
    readonly json?: unknown
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    headers.accept = 'application/json, text/event-stream'
  }
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  const challenge = response.headers.get('www-authenticate') ?? ''
  return {
    status: response.status,
    error: challengeParam(challenge, 'error'),
    description: challengeParam(challenge, 'error_description'),
    retryAfter: response.headers.get('retry-after') ?? undefined,
    body: parseJson(text),
  }
}

/** GET a JSON document (the dev issuer's control API, an API's /healthz). */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  return (await response.json()) as T
}

/** POST to the dev issuer's control API; throws unless it answers 2xx. */
export async function post<T>(url: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

function challengeParam(challenge: string, name: string): string | undefined {
  const match = new RegExp(`(?:^Bearer |, )${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(challenge)
  return match?.[1]?.replace(/\\(.)/g, '$1')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
