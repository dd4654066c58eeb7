import { requestToken, type TokenRequest } from '@keyward/dev-issuer'

/**
 * A client's cached access token for one API, renewed shortly before it expires (as real
 * client credentials clients do), one renewal at a time however many callers wait.
 *
 * @example
 * ```ts
 * const source = new TokenSource(request, 1500)
 * const token = await source.get()
 * ```
 */
export class TokenSource {
  readonly #request: TokenRequest
  readonly #renewBeforeMs: number
  #token: { value: string; expiresAt: number } | undefined
  #pending: Promise<string> | undefined
  /** Tokens fetched so far. */
  fetched = 0

  constructor(request: TokenRequest, renewBeforeMs: number) {
    this.#request = request
    this.#renewBeforeMs = renewBeforeMs
  }

  get(): Promise<string> {
    if (this.#token !== undefined && this.#token.expiresAt - Date.now() > this.#renewBeforeMs) {
      return Promise.resolve(this.#token.value)
    }
    this.#pending ??= requestToken(this.#request)
      .then(({ accessToken, expiresIn }) => {
        this.fetched += 1
        this.#token = { value: accessToken, expiresAt: Date.now() + expiresIn * 1000 }
        return accessToken
      })
      .finally(() => {
        this.#pending = undefined
      })
    return this.#pending
  }
}
