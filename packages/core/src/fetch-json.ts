import { FetchFailure } from './fetch-failure.js'
import { freshnessFromHeaders, retryAfterFromHeaders } from './http-caching.js'

export { FetchFailure, type FetchFailureReason } from './fetch-failure.js'

/** A `fetch`-compatible function; inject one for proxies, custom CAs, tests and special runtimes. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>

export interface FetchJsonOptions {
  readonly fetch: FetchFunction
  /** Covers the whole exchange: connection, headers and body. */
  readonly timeoutMs: number
  /** Cap on the body after decompression. */
  readonly maxBytes: number
  readonly headers: Readonly<Record<string, string>>
  /** Validators from the previous good response (RFC 9110 §13.1). */
  readonly etag?: string | undefined
  readonly lastModified?: string | undefined
  /** Aborts the fetch when the verifier closes. */
  readonly signal: AbortSignal
  readonly now: () => number
}

export type FetchJsonResult =
  | {
      readonly kind: 'document'
      readonly body: unknown
      readonly etag: string | undefined
      readonly lastModified: string | undefined
      readonly freshnessMs: number | undefined
    }
  | { readonly kind: 'not_modified'; readonly freshnessMs: number | undefined }

/**
 * GETs a JSON document with the protections a key fetch needs: no redirects (a redirect could
 * hand key selection to another host), 200 or 304 only, a timeout over the whole exchange and a
 * byte cap applied while the (decompressed) body streams in, so a gzip bomb stops early.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<FetchJsonResult> {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new FetchFailure('timeout'))
  }, options.timeoutMs)
  timer.unref()
  const onClose = (): void => {
    controller.abort()
  }
  // An already-closed caller never gets its abort event: check before listening.
  if (options.signal.aborted) onClose()
  else options.signal.addEventListener('abort', onClose, { once: true })
  // The deadline holds even against an injected `fetch` (or body stream) that ignores the
  // signal: a fetch that never settles would otherwise hold the single flight forever.
  let stopWaiting: (() => void) | undefined
  const deadline = new Promise<never>((_, reject) => {
    stopWaiting = () => {
      reject(controller.signal.reason as Error)
    }
    if (controller.signal.aborted) stopWaiting()
    else controller.signal.addEventListener('abort', stopWaiting, { once: true })
  })
  // Rejections of the loser are expected; keep them from surfacing as unhandled.
  deadline.catch(() => undefined)
  try {
    return await Promise.race([exchange(url, options, controller.signal), deadline])
  } catch (error) {
    // Every failure names its URL: the operator's first question (which URL answered 404?).
    if (error instanceof FetchFailure) throw error.at(url)
    const reason: unknown = controller.signal.reason
    if (reason instanceof FetchFailure) throw reason.at(url)
    throw new FetchFailure('network', { cause: error, url })
  } finally {
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onClose)
    if (stopWaiting !== undefined) controller.signal.removeEventListener('abort', stopWaiting)
  }
}

async function exchange(
  url: string,
  options: FetchJsonOptions,
  signal: AbortSignal,
): Promise<FetchJsonResult> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.etag !== undefined) headers['if-none-match'] = options.etag
  if (options.lastModified !== undefined) headers['if-modified-since'] = options.lastModified
  const response = await options.fetch(url, {
    method: 'GET',
    headers,
    redirect: 'manual',
    signal,
  })
  const freshnessMs = freshnessFromHeaders(response.headers)
  if (response.status === 304 && (options.etag ?? options.lastModified) !== undefined) {
    await response.body?.cancel()
    return { kind: 'not_modified', freshnessMs }
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    // A 304 nobody asked for is a broken answer, not a redirect.
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      throw new FetchFailure('redirect', { httpStatus: response.status })
    }
    const retryAfterMs =
      response.status === 429 || response.status === 503
        ? retryAfterFromHeaders(response.headers, options.now())
        : undefined
    throw new FetchFailure('http_status', { httpStatus: response.status, retryAfterMs })
  }
  const text = await readCapped(response, options.maxBytes)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (cause) {
    throw new FetchFailure('invalid_json', { cause })
  }
  return {
    kind: 'document',
    body,
    etag: response.headers.get('etag') ?? undefined,
    lastModified: response.headers.get('last-modified') ?? undefined,
    freshnessMs,
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  // Only trustworthy for identity encoding; compressed bodies are counted as they inflate.
  if (response.headers.get('content-encoding') === null && declared > maxBytes) {
    await response.body?.cancel()
    throw new FetchFailure('too_large')
  }
  if (response.body === null) return ''
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      throw new FetchFailure('too_large')
    }
    chunks.push(value)
  }
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    return decoder.decode(Buffer.concat(chunks))
  } catch (cause) {
    throw new FetchFailure('invalid_json', { cause })
  }
}
