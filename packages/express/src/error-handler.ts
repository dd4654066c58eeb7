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
  const body = options.body ?? ((error: KeywardError) => error.toJSON())
  return (error: unknown, _req, res, next) => {
    if (!isKeywardError(error) || res.headersSent) {
      next(error)
      return
    }
    res.status(error.status).set(error.headers).json(body(error))
  }
}
