import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createVerifier, isKeywardError, type ReplayStore, type KeywardEvent } from '@keyward/core'
import type { TestIssuer } from '@keyward/test-utils'

export const PUBLIC_BASE_URL = 'https://api.test'

/** One instance of an API: a real HTTP server, its own verifier, the given replay store. */
export interface ApiInstance {
  readonly url: string
  readonly events: KeywardEvent[]
  close(): Promise<void>
}

export async function startApiInstance(
  issuer: TestIssuer,
  jwksUri: string,
  replayStore: ReplayStore,
): Promise<ApiInstance> {
  const events: KeywardEvent[] = []
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri,
    dpop: { publicBaseUrl: PUBLIC_BASE_URL, algorithms: ['ES256'] },
    replayStore,
    onEvent: (event) => events.push(event),
  })
  const server = createServer((req, res) => {
    verifier.authenticate(req).then(
      (auth) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ sub: auth?.subject })),
      (error: unknown) => {
        if (!isKeywardError(error)) throw error
        res.writeHead(error.status, error.headers).end(JSON.stringify(error.toJSON()))
      },
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        verifier.close()
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
