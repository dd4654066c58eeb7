import type { VerifierOptions } from '@keyward/core'
import { KeyFetchLog } from './fetch-log.js'

/** A demo API's settings, read from its environment. */
export interface DemoApiConfig {
  readonly service: string
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number
  /** Everything the API's keyward adapter gets. */
  readonly verifier: VerifierOptions
  readonly fetchLog: KeyFetchLog
}

/**
 * Reads a demo API's configuration. Only `ISSUER_URL` is required; the key set is found through
 * the issuer's discovery document. Optional:
 * - `AUDIENCE`: the API's identifier, which tokens must name in `aud` (default: the app's own).
 * - `PORT` (default 0), `SERVICE_NAME` (default: the app's name; also the JWKS `User-Agent`, so
 *   an issuer can tell its verifiers apart).
 * - `CLOCK_TOLERANCE_MS`, `JWKS_CACHE_MAX_AGE_MS`: the demo tour turns these down so that
 *   expiry, rotation and outages play out in seconds instead of minutes. The key cache setting
 *   is `jwks.cacheMaxAgeMs`; keyward lowers its cache floor to match. Unset, keyward's defaults
 *   apply.
 *
 * @example
 * ```ts
 * const config = loadApiConfig(process.env, { service: 'express-api', audience: 'urn:keyward:demo:express-api' })
 * ```
 */
export function loadApiConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { readonly service: string; readonly audience: string },
  write?: (line: string) => void,
): DemoApiConfig {
  const issuer = env.ISSUER_URL
  if (issuer === undefined || issuer === '') {
    throw new TypeError('ISSUER_URL is required, e.g. ISSUER_URL=http://127.0.0.1:4000')
  }
  const service = env.SERVICE_NAME ?? defaults.service
  const fetchLog = new KeyFetchLog(service, write)
  const port = integer(env, 'PORT') ?? 0
  const clockToleranceMs = integer(env, 'CLOCK_TOLERANCE_MS')
  const cacheMs = integer(env, 'JWKS_CACHE_MAX_AGE_MS')
  return {
    service,
    port,
    fetchLog,
    verifier: {
      issuer,
      audience: env.AUDIENCE ?? defaults.audience,
      ...(clockToleranceMs === undefined ? {} : { clockToleranceMs }),
      fetchHeaders: { 'user-agent': `keyward-demo/${service}` },
      ...(cacheMs === undefined ? {} : { jwks: { cacheMaxAgeMs: cacheMs } }),
      onEvent: fetchLog.onEvent,
    },
  }
}

function integer(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): number | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  if (!/^\d+$/.test(value)) throw new TypeError(`${name} must be a non-negative integer`)
  return Number(value)
}
