import { readFile } from 'node:fs/promises'
import { originOf } from './fetch-headers.js'
import { FetchFailure, type FetchFunction } from './fetch-json.js'

/** Where {@link serviceAccountFetch} may send the token. */
export interface ServiceAccountFetchSettings {
  readonly fetch: FetchFunction
  /** The file the token is read from, on every fetch. */
  readonly tokenFile: string
  /** The cluster's issuer: its origin serves discovery and, usually, the JWKS. */
  readonly issuer: string
  /** An explicitly configured JWKS URL, if any. */
  readonly jwksUri: string | undefined
}

/**
 * A fetch that authenticates a cluster's discovery and JWKS requests with the pod's own
 * service-account token (`Authorization: Bearer`, RFC 6750 §2.1). The token file is read on
 * every fetch, never cached: kubelet rewrites a projected token before it expires, and the one
 * read an hour ago may already be refused. The token goes to the issuer's origin and to the
 * configured `jwksUri` only, so a URL a metadata document names never receives it. A file that
 * cannot be read, or is empty, fails the fetch with `token_file_unreadable` (the keys already
 * held stay last-known-good).
 *
 * @example
 * ```ts
 * const fetch = serviceAccountFetch({ fetch: globalThis.fetch, tokenFile, issuer, jwksUri })
 * ```
 */
export function serviceAccountFetch(settings: ServiceAccountFetchSettings): FetchFunction {
  const issuerOrigin = originOf(settings.issuer)
  const sendsTo = (url: string): boolean =>
    url === settings.jwksUri || (issuerOrigin !== undefined && originOf(url) === issuerOrigin)
  return async (url, init) => {
    if (!sendsTo(url)) return settings.fetch(url, init)
    let token: string
    try {
      token = (await readFile(settings.tokenFile, 'utf8')).trim()
    } catch (cause) {
      throw new FetchFailure('token_file_unreadable', { url, cause })
    }
    // RFC 6750 §2.1: b64token characters only; anything else is not a token (or a wrong file).
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
      throw new FetchFailure('token_file_unreadable', { url })
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${token}`)
    return settings.fetch(url, { ...init, headers })
  }
}
