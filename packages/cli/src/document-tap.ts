import type { FetchFunction } from '@keyward/core'

/**
 * Wraps the `fetch` a verifier uses (its public `jwks.fetch` option) so that every JSON
 * document it reads completely is also handed to `onDocument`: the JWK Sets and metadata the key
 * source adopts, for thumbprints and metadata diffs. Same requests, same bytes: the core still
 * applies its deadline, cap and checks to the stream it reads. The copy stops at `maxBytes`.
 *
 * @example
 * ```ts
 * const fetch = documentTap(globalThis.fetch, (url, body) => seen.set(url, body), 512 * 1024)
 * createVerifier({ issuer, audience: null, jwks: { fetch } })
 * ```
 */
export function documentTap(
  fetch: FetchFunction,
  onDocument: (url: string, body: unknown) => void,
  maxBytes: number,
): FetchFunction {
  return async (url, init) => {
    const response = await fetch(url, init)
    if (response.status !== 200 || response.body === null) return response
    const chunks: Uint8Array[] = []
    let total = 0
    const tapped = (response.body as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          total += chunk.byteLength
          if (total <= maxBytes) chunks.push(chunk)
          controller.enqueue(chunk)
        },
        // Runs before the reader sees the end of the body, so before the core adopts the keys.
        flush() {
          if (total > maxBytes) return
          try {
            onDocument(url, JSON.parse(Buffer.concat(chunks).toString('utf8')))
          } catch {
            // Not JSON: the core reports that failure itself.
          }
        },
      }),
    )
    return new Response(tapped, { status: response.status, headers: response.headers })
  }
}
