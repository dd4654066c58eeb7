import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ContractApp } from './contract-app.js'

/**
 * Serves `listener` on 127.0.0.1:0 for an adapter test. `close` runs `onClose` (e.g.
 * `verifier.close()`), then stops the server, idle keep-alive connections included.
 *
 * @example
 * ```ts
 * const running = await listen(app, () => { verifier.close() })
 * await fetch(`${running.url}/protected`)
 * await running.close()
 * ```
 */
export async function listen(
  listener: RequestListener,
  onClose: () => void = () => undefined,
): Promise<ContractApp> {
  const server = createServer(listener)
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
