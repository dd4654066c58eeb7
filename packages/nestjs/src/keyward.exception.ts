import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common'
import { isJsonRpcRefusal, isKeywardError, type KeywardError } from '@keyward/core'
import type { KeywardResponse } from './keyward.request.js'

const EXCEPTIONS: Partial<Record<number, typeof UnauthorizedException>> = {
  400: BadRequestException,
  401: UnauthorizedException,
  403: ForbiddenException,
  503: ServiceUnavailableException,
}

/**
 * Internal: the Nest exception for a `KeywardError`: Nest's class for the status, a body with
 * the RFC 6750 `error`, a fixed `message` and the keyward `code`, the error as `cause`.
 */
export function keywardException(error: KeywardError): HttpException {
  // RFC 6750 §3: `error` is the OAuth code, absent for a request without credentials (§3.1).
  const oauth = error.toJSON().error
  const body = {
    statusCode: error.status,
    ...(oauth === undefined ? {} : { error: oauth }),
    // 503 is an internal condition (`expose: false`): the client gets the status phrase.
    message: error.expose ? error.message : 'Service Unavailable',
    code: error.code,
  }
  const Exception = EXCEPTIONS[error.status]
  return Exception === undefined
    ? new HttpException(body, error.status, { cause: error })
    : new Exception(body, { cause: error })
}

/** Internal: puts `headers` (`WWW-Authenticate`, `Retry-After`) on Express's or Fastify's reply. */
export function setResponseHeaders(
  response: KeywardResponse | undefined,
  headers: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of Object.entries(headers)) {
    if (typeof response?.setHeader === 'function') response.setHeader(name, value)
    else response?.header?.(name, value)
  }
}

/**
 * Internal: what a keyward guard throws for `error`. An MCP transport refusal becomes an
 * `HttpException` whose body is its JSON-RPC error (Nest's exception filter sends it as is,
 * and MCP clients read it); a `KeywardError` sets its headers and becomes
 * {@link keywardException}; anything else is thrown as it is.
 */
export function guardFailure(error: unknown, response: KeywardResponse | undefined): unknown {
  if (isJsonRpcRefusal(error)) {
    return new HttpException(error.toJSON(), error.status, { cause: error })
  }
  if (!isKeywardError(error)) return error
  setResponseHeaders(response, error.headers)
  return keywardException(error)
}
