import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ContractApp } from '@keyward/adapter-tests'
import type { Middleware } from 'koa'
import type { KeywardState } from '../src/index.js'

/**
 * Serves a Koa `app.callback()` on 127.0.0.1:0; `close` also runs `onClose` (e.g.
 * `verifier.close()`).
 */
export async function listen(
  callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onClose: () => void = () => undefined,
): Promise<ContractApp> {
  // Koa's callback answers its own errors; nothing is left to await here.
  const server = createServer((req, res) => void callback(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        onClose()
        server.close((error) => {
          if (error === undefined) resolve()
          else reject(error)
        })
        // fetch keeps connections alive; close() alone would wait for them.
        server.closeAllConnections()
      }),
  }
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

export { startIssuer, type IssuerFixture } from '@keyward/adapter-tests'

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
