import type { Server } from 'node:http'

/** What every benchmark app needs to know about the issuer. */
export interface AppConfig {
  readonly issuer: string
  readonly audience: string
  readonly jwksUri: string
  /** The API's public URL, for DPoP's `htu` check (RFC 9449 §4.3): the suite's audience. */
  readonly publicBaseUrl: string
}

/**
 * The issuer settings every authenticating app is given: the config without the DPoP URL,
 * which keyward would refuse as an unknown option.
 *
 * @example
 * ```ts
 * bearerAuth(issuerOptions(config))
 * ```
 */
export function issuerOptions(config: AppConfig): {
  issuer: string
  audience: string
  jwksUri: string
} {
  return { issuer: config.issuer, audience: config.audience, jwksUri: config.jwksUri }
}

/** Builds one app and starts it listening on `127.0.0.1:0`. */
export type AppFactory = (config: AppConfig) => Promise<Server>

/** Framework of an app: ratios compare an app with its framework's baseline. */
export type Framework = 'Express 5' | 'Koa 3' | 'NestJS 11' | 'Fastify 5'

export interface AppDescriptor {
  readonly name: string
  readonly framework: Framework
  /** The framework without any authentication. */
  readonly baseline: boolean
  /** Where the app module lives, relative to `src/http/apps`, and its export. */
  readonly module: 'express-apps' | 'koa-apps' | 'nest-apps' | 'fastify-apps'
  readonly key: string
  /**
   * The app takes DPoP-bound tokens (`Authorization: DPoP`) with a fresh proof per request,
   * made before the round starts; it is compared with the framework's baseline like the others.
   */
  readonly dpop?: boolean
}

/**
 * Starts a `node:http` server on loopback with an ephemeral port.
 *
 * @example
 * ```ts
 * const server = await listen(createServer(handler))
 * ```
 */
export async function listen(server: Server): Promise<Server> {
  // Keep-alive longer than any autocannon run, so no connection is re-opened mid-measurement.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/** Every app of the HTTP suite, baselines first within each framework. */
export const APPS: readonly AppDescriptor[] = [
  {
    name: 'Express (no auth)',
    framework: 'Express 5',
    baseline: true,
    module: 'express-apps',
    key: 'baseline',
  },
  {
    name: 'keyward',
    framework: 'Express 5',
    baseline: false,
    module: 'express-apps',
    key: 'keyward',
  },
  {
    name: 'keyward (DPoP, fresh proof per request)',
    framework: 'Express 5',
    baseline: false,
    module: 'express-apps',
    key: 'keywardDpop',
    dpop: true,
  },
  {
    name: 'express-oauth2-jwt-bearer',
    framework: 'Express 5',
    baseline: false,
    module: 'express-apps',
    key: 'oauth2JwtBearer',
  },
  {
    name: 'express-jwt + jwks-rsa',
    framework: 'Express 5',
    baseline: false,
    module: 'express-apps',
    key: 'expressJwt',
  },
  {
    name: 'passport-jwt + jwks-rsa',
    framework: 'Express 5',
    baseline: false,
    module: 'express-apps',
    key: 'passportJwt',
  },
  {
    name: 'Koa (no auth)',
    framework: 'Koa 3',
    baseline: true,
    module: 'koa-apps',
    key: 'baseline',
  },
  { name: 'keyward', framework: 'Koa 3', baseline: false, module: 'koa-apps', key: 'keyward' },
  {
    name: 'koa-jwt + jwks-rsa',
    framework: 'Koa 3',
    baseline: false,
    module: 'koa-apps',
    key: 'koaJwt',
  },
  {
    name: 'Nest (no auth)',
    framework: 'NestJS 11',
    baseline: true,
    module: 'nest-apps',
    key: 'baseline',
  },
  { name: 'keyward', framework: 'NestJS 11', baseline: false, module: 'nest-apps', key: 'keyward' },
  {
    name: '@nestjs/passport + passport-jwt',
    framework: 'NestJS 11',
    baseline: false,
    module: 'nest-apps',
    key: 'passportJwt',
  },
  {
    name: 'Fastify (no auth)',
    framework: 'Fastify 5',
    baseline: true,
    module: 'fastify-apps',
    key: 'baseline',
  },
  {
    name: 'keyward',
    framework: 'Fastify 5',
    baseline: false,
    module: 'fastify-apps',
    key: 'keyward',
  },
  {
    name: '@fastify/jwt + get-jwks',
    framework: 'Fastify 5',
    baseline: false,
    module: 'fastify-apps',
    key: 'fastifyJwtGetJwks',
  },
]
