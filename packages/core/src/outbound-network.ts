import { rootCertificates } from 'node:tls'
import { X509Certificate } from 'node:crypto'
import type { FetchFunction } from './fetch-json.js'
import { isPlainObject, own } from './option-readers.js'
import { rejectUnknownOptions } from './unknown-options.js'

/**
 * Where key and metadata fetches go out: `'env'` honours `HTTPS_PROXY`, `HTTP_PROXY` and
 * `NO_PROXY` (lower-case spellings first, as curl does), read when the verifier is created; an
 * object names the proxy itself.
 */
export type JwksProxy =
  | 'env'
  | {
      /** `http://proxy.internal:3128` (credentials in the URL become `Proxy-Authorization`). */
      readonly url: string
      /**
       * Hosts fetched directly: a list, or a comma-separated string as in `NO_PROXY`
       * (`example.com` also matches its subdomains; `*` matches every host).
       * @defaultValue `[]`
       */
      readonly noProxy?: string | readonly string[]
    }

/** The validated `jwks.proxy` and `jwks.extraCaCerts`. */
export interface OutboundNetwork {
  readonly proxy: { readonly url: string; readonly noProxy: string } | 'env' | undefined
  /** PEM certificates trusted besides Node's root store. */
  readonly extraCaCerts: readonly string[] | undefined
}

/** A fetch through its own connection pool, and the way to close that pool. */
export interface OutboundFetch {
  readonly fetch: FetchFunction
  /** Closes the pool's idle connections (`verifier.close()`). */
  readonly close: () => void
}

const PROXY_NAMES = { known: ['url', 'noProxy'], elsewhere: new Map<string, string>() }
const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** Reads `jwks.proxy`: `'env'` or `{ url, noProxy? }`, checked now. */
export function readProxy(value: unknown, name: string): OutboundNetwork['proxy'] {
  if (value === 'env') return 'env'
  if (!isPlainObject(value)) {
    throw new TypeError(`"${name}" must be 'env' or { url, noProxy? }`)
  }
  rejectUnknownOptions(value, PROXY_NAMES, `${name}.`)
  const url = own(value, 'url')
  let parsed: URL | undefined
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined
  } catch {
    parsed = undefined
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TypeError(`"${name}.url" must be an http: or https: URL of a proxy`)
  }
  const noProxy = own(value, 'noProxy') ?? []
  const list: unknown = typeof noProxy === 'string' ? noProxy.split(',') : noProxy
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string')) {
    throw new TypeError(`"${name}.noProxy" must be a list of hosts or a comma-separated string`)
  }
  const hosts = (list as readonly string[]).map((entry) => entry.trim()).filter(Boolean)
  return { url: parsed.href, noProxy: hosts.join(',') }
}

/**
 * Reads `jwks.extraCaCerts`: PEM text (one certificate or a bundle) or a list of them, as
 * strings or Buffers; every certificate is parsed now, so a truncated file fails at start-up.
 */
export function readExtraCaCerts(value: unknown, name: string): readonly string[] {
  const list: readonly unknown[] = Array.isArray(value) ? value : [value]
  const certificates: string[] = []
  for (const entry of list) {
    const text = Buffer.isBuffer(entry) ? entry.toString('utf8') : entry
    const found = typeof text === 'string' ? text.match(CERTIFICATE) : null
    if (found === null) {
      throw new TypeError(`"${name}" must be PEM certificates (-----BEGIN CERTIFICATE-----)`)
    }
    for (const certificate of found) {
      try {
        new X509Certificate(certificate)
      } catch (error) {
        throw new TypeError(`"${name}" holds a certificate that does not parse`, { cause: error })
      }
      certificates.push(certificate)
    }
  }
  if (certificates.length === 0) throw new TypeError(`"${name}" must hold a certificate`)
  return Object.freeze(certificates)
}

/**
 * A fetch that goes through the proxy and trusts the extra CAs, on undici's `fetch` with a
 * dispatcher of its own (the global dispatcher, and so the rest of the process, is untouched).
 * undici is loaded on the first fetch, so a verifier without these options never loads it.
 */
export function outboundFetch(network: OutboundNetwork): OutboundFetch {
  let loaded: Promise<{ fetch: FetchFunction; close: () => Promise<void> }> | undefined
  let closed = false
  const load = async () => {
    const undici = await import('undici')
    const tls =
      network.extraCaCerts === undefined
        ? {}
        : { ca: [...rootCertificates, ...network.extraCaCerts] }
    const { proxy } = network
    // EnvHttpProxyAgent also answers NO_PROXY; given values win over the environment's.
    const dispatcher =
      proxy === undefined
        ? new undici.Agent({ connect: tls })
        : new undici.EnvHttpProxyAgent({
            connect: tls,
            requestTls: tls,
            proxyTls: tls,
            ...(proxy === 'env'
              ? {}
              : { httpProxy: proxy.url, httpsProxy: proxy.url, noProxy: proxy.noProxy }),
          })
    // Node's bundled undici types (lib.dom's `RequestInit`) and undici 7's differ in name only.
    const fetch: FetchFunction = (url, init) =>
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- undici's Response is the one Node's fetch returns, by another type name
      undici.fetch(url, { ...(init as Parameters<typeof undici.fetch>[1]), dispatcher })
    return {
      fetch,
      close: () => dispatcher.close(),
    }
  }
  return {
    fetch: async (url, init) => {
      loaded ??= load()
      const { fetch } = await loaded
      return fetch(url, init)
    },
    close: () => {
      if (closed) return
      closed = true
      void loaded?.then(({ close }) => close()).catch(() => undefined)
    },
  }
}
