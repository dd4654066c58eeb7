import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const CHUNK_BYTES = 64 * 1024

function* spacesThenBody(bytes: number, body: Buffer): Generator<Buffer> {
  const chunk = Buffer.alloc(CHUNK_BYTES, 0x20)
  let left = Math.max(0, bytes - body.length)
  while (left > 0) {
    const size = Math.min(left, CHUNK_BYTES)
    left -= size
    yield size === CHUNK_BYTES ? chunk : chunk.subarray(0, size)
  }
  yield body
}

/**
 * Streams `body` preceded by enough JSON whitespace to reach `bytes`, with backpressure, so a
 * multi-gigabyte answer costs the test process one 64 KiB buffer. Leading whitespace keeps the
 * document valid JSON (RFC 8259 §2): a client without a size limit would accept it, so a size
 * limit test cannot pass for the wrong reason.
 *
 * @example
 * ```ts
 * await streamPaddedBody(res, 50_000_000, Buffer.from(JSON.stringify(jwks)))
 * ```
 */
export async function streamPaddedBody(
  res: ServerResponse,
  bytes: number,
  body: Buffer,
): Promise<void> {
  try {
    await pipeline(Readable.from(spacesThenBody(bytes, body)), res)
  } catch {
    // The client hanging up mid-body is the expected outcome of a size-limit test.
  }
}
