/** Where to ask for tokens and as whom. */
export interface TokenRequest {
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly clientSecret: string
  /** RFC 8707 resource indicator: the API the token is for (its `aud`). */
  readonly resource: string
  /** Space-separated scopes; omitted asks for none. */
  readonly scope?: string
  /**
   * A DPoP proof (RFC 9449 §4) for `POST` on the token endpoint, without `ath`: the token comes
   * back bound to the proof's key. One proof per request; the issuer refuses a replayed one.
   */
  readonly dpopProof?: string
}

export interface TokenResponse {
  readonly accessToken: string
  /** Seconds, as the server said. */
  readonly expiresIn: number
  readonly scope: string | undefined
  /** `Bearer`, or `DPoP` for a token bound to the request's proof key (RFC 9449 §5). */
  readonly tokenType: string
}

/** The token endpoint refused the request (RFC 6749 §5.2 error). */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
  ) {
    super(`token request failed: ${status} ${error}`)
    this.name = 'TokenRequestError'
  }
}

/**
 * Runs the OAuth 2.0 client credentials grant (RFC 6749 §4.4) with HTTP Basic client
 * authentication and one resource indicator (RFC 8707), with a DPoP proof when given.
 *
 * @example
 * ```ts
 * const { accessToken } = await requestToken({ tokenEndpoint, clientId, clientSecret,
 *   resource: 'urn:keyward:demo:express-api', scope: 'notes:read' })
 * ```
 */
export async function requestToken(request: TokenRequest): Promise<TokenResponse> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', resource: request.resource })
  if (request.scope !== undefined) body.set('scope', request.scope)
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined for Basic.
  const credentials = `${encodeURIComponent(request.clientId)}:${encodeURIComponent(request.clientSecret)}`
  const response = await fetch(request.tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...(request.dpopProof === undefined ? {} : { dpop: request.dpopProof }),
    },
    body,
  })
  const json = (await response.json()) as Record<string, unknown>
  if (!response.ok || typeof json.access_token !== 'string') {
    const error = typeof json.error === 'string' ? json.error : 'invalid_response'
    throw new TokenRequestError(response.status, error)
  }
  return {
    accessToken: json.access_token,
    expiresIn: typeof json.expires_in === 'number' ? json.expires_in : 0,
    scope: typeof json.scope === 'string' ? json.scope : undefined,
    tokenType: typeof json.token_type === 'string' ? json.token_type : 'Bearer',
  }
}
