// Attacks from keyward's core suite, through Fastify's own HTTP server: status, exact
// WWW-Authenticate, no 500, and the protected handler never runs. Both majors.
import { createVerifier } from '@keyward/core'
import { runAdapterAttacks, type AttackAppFactory } from '@keyward/adapter-tests'
import Fastify5 from 'fastify'
import Fastify4 from 'fastify4'
import { bearerAuth } from '../src/index.js'
import { listen } from './helpers.js'

function attackApp(name: string, Fastify: typeof Fastify5): AttackAppFactory {
  return {
    name,
    async start(options) {
      const verifier = createVerifier(options)
      let runs = 0
      const app = Fastify()
      void app.register(async (api) => {
        await api.register(bearerAuth, verifier)
        api.get('/protected', () => {
          runs++
          return { handled: true }
        })
      })
      const running = await listen(app, () => {
        verifier.close()
      })
      return { url: running.url, handlerRuns: () => runs, close: () => running.close() }
    },
  }
}

runAdapterAttacks(attackApp('fastify@5', Fastify5))
runAdapterAttacks(attackApp('fastify@4', Fastify4))
