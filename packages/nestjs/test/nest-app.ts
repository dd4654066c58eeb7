import type {
  DynamicModule,
  INestApplication,
  LoggerService,
  NestApplicationOptions,
  Type,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'

export const platforms = ['express', 'fastify'] as const
export type Platform = (typeof platforms)[number]

/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its
   options as a class, but documents and reads plain objects. */
/** No Nest logs in test output. */
export const quiet: NestApplicationOptions = { logger: false }
/** No logs, and boot errors reject instead of exiting the process. */
export const quietRejecting: NestApplicationOptions = { logger: false, abortOnError: false }
/* eslint-enable @typescript-eslint/no-unsafe-class-instance-assignment */

export interface RunningApp {
  readonly app: INestApplication
  readonly url: string
  close(): Promise<void>
}

export interface StartOptions {
  /** Make the platform read `X-Forwarded-*` (Express `trust proxy`, Fastify `trustProxy`). */
  readonly trustProxy?: boolean
  /** Runs between `NestFactory.create` and `listen`, e.g. `app.useGlobalGuards(...)`. */
  readonly configure?: (app: INestApplication) => void
  /** Receives Nest's logs (none by default). */
  readonly logger?: LoggerService
}

function create(
  module: Type | DynamicModule,
  platform: Platform,
  { trustProxy = false, logger }: StartOptions,
): Promise<INestApplication> {
  let adapter: ExpressAdapter | FastifyAdapter
  if (platform === 'express') {
    adapter = new ExpressAdapter()
    adapter.set('trust proxy', trustProxy)
  } else {
    adapter = new FastifyAdapter({ trustProxy })
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- as above
  const options: NestApplicationOptions = { ...quietRejecting, ...(logger && { logger }) }
  return NestFactory.create(module, adapter, options)
}

/** Starts a real Nest application on 127.0.0.1 with an ephemeral port. */
export async function startApp(
  module: Type | DynamicModule,
  platform: Platform,
  options: StartOptions = {},
): Promise<RunningApp> {
  const app = await create(module, platform, options)
  options.configure?.(app)
  await app.listen(0, '127.0.0.1')
  const url = await app.getUrl()
  return { app, url, close: () => app.close() }
}

/** The error that stops the application from starting (`undefined` if it starts), closed after. */
export async function startError(
  module: Type | DynamicModule,
  platform: Platform,
  options: StartOptions = {},
): Promise<unknown> {
  const app = await create(module, platform, options)
  options.configure?.(app)
  try {
    await app.listen(0, '127.0.0.1')
    return undefined
  } catch (error) {
    return error
  } finally {
    await app.close()
  }
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

/** GET with an optional bearer token; the body is parsed as JSON. */
export async function get(url: string, token?: string): Promise<Answer> {
  const headers: Record<string, string> =
    token === undefined ? {} : { authorization: `Bearer ${token}` }
  const response = await fetch(url, { headers })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  }
}
