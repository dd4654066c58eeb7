import type { CommandIo } from './command-io.js'
import { UsageError } from './usage-error.js'

/** More than this on standard input is not one token. */
const MAX_INPUT_BYTES = 64 * 1024

/**
 * Reads one token from standard input (so it stays out of shell history), trimmed; a leading
 * `Bearer ` (a copied Authorization header) is removed with a note on standard error.
 *
 * @example
 * ```ts
 * const token = await readToken(io) // echo "$TOKEN" | keyward explain ...
 * ```
 */
export async function readToken(io: CommandIo): Promise<string> {
  if (io.stdin.isTTY === true) {
    io.stderr.write('paste the token, then press Enter and Ctrl-D\n')
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    total += bytes.length
    if (total > MAX_INPUT_BYTES) {
      throw new UsageError('standard input is larger than 64 KiB: expected one token')
    }
    chunks.push(bytes)
  }
  let token = Buffer.concat(chunks).toString('utf8').trim()
  if (/^bearer\s+/i.test(token)) {
    token = token.replace(/^bearer\s+/i, '')
    io.stderr.write('keyward explain: note: removed a leading "Bearer "\n')
  }
  if (token === '') throw new UsageError('no token on standard input; see keyward explain --help')
  return token
}
