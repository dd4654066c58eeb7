import type { IncomingMessage, ServerResponse } from 'node:http'
import { listen as listenOnLoopback, type ContractApp } from '@keyward/adapter-tests'
import type { Middleware } from 'koa'
import type { KeywardState } from '../src/index.js'

/**
 * Serves a Koa `app.callback()` on 127.0.0.1:0; `close` also runs `onClose` (e.g.
 * `verifier.close()`).
 */
export function listen(
  callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onClose?: () => void,
): Promise<ContractApp> {
  // Koa's callback answers its own errors; nothing is left to await here.
  return listenOnLoopback((req, res) => void callback(req, res), onClose)
}

/** A minimal `GET path` router, so the tests need no router package. */
export function route(
  path: string,
  ...chain: Middleware<KeywardState>[]
): Middleware<KeywardState> {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== path) {
      await next()
      return
    }
    const run = async (index: number): Promise<void> => {
      await chain[index]?.(ctx, () => run(index + 1))
    }
    await run(0)
  }
}

/**
 * Mounts `middleware` at `prefix` the way koa-mount does: it sees `ctx.path` without the prefix
 * (and restores it after), while `ctx.originalUrl` keeps the path the client sent.
 */
export function mount(
  prefix: string,
  middleware: Middleware<KeywardState>,
): Middleware<KeywardState> {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(`${prefix}/`)) {
      await next()
      return
    }
    const path = ctx.path
    ctx.path = path.slice(prefix.length)
    try {
      await middleware(ctx, next)
    } finally {
      ctx.path = path
    }
  }
}

export { startIssuer, type IssuerFixture } from '@keyward/test-utils'

/** Records the error thrown downstream and answers 599, so tests can inspect it. */
export function capture(seen: unknown[]): Middleware<KeywardState> {
  return async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      seen.push(error)
      ctx.status = 599
    }
  }
}
