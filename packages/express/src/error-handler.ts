import { isKeywardError, type KeywardError } from '@keyward/core'
import type { ErrorRequestHandler } from 'express'

/** Options of {@link keywardErrorHandler}. */
export interface KeywardErrorHandlerOptions {
  /**
   * Builds the JSON body. Status and headers (`WWW-Authenticate`, `Retry-After`) are always
   * keyward's.
   * @defaultValue the RFC 6750 §3 body, `error.toJSON()`: `{ error, error_description }`
   */
  readonly body?: (error: KeywardError) => unknown
}

/**
 * Answers keyward failures with their status, headers and a JSON body; passes every other error
 * (and keyward errors after headers were sent) to the next error handler. Optional: Express's
 * default handler already sends the right status and headers, with an HTML body.
 *
 * @example
 * ```ts
 * app.use(bearerAuth(options))
 * app.get('/things', listThings)
 * app.use(keywardErrorHandler())
 * ```
 */
export function keywardErrorHandler(options: KeywardErrorHandlerOptions = {}): ErrorRequestHandler {
  const body = readBody(options)
  return (error: unknown, _req, res, next) => {
    if (!isKeywardError(error) || res.headersSent) {
      next(error)
      return
    }
    res.status(error.status).set(error.headers).json(body(error))
  }
}

/** Checked at start-up like every keyward option: a misspelt `body` must not go unnoticed. */
function readBody(options: unknown): (error: KeywardError) => unknown {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('keywardErrorHandler options must be an object')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'body') throw new TypeError(`unknown keywardErrorHandler option "${key}"`)
  }
  const { body } = options as KeywardErrorHandlerOptions
  if (body === undefined) return (error) => error.toJSON()
  if (typeof body !== 'function') {
    throw new TypeError('keywardErrorHandler option "body" must be a function')
  }
  return body
}
