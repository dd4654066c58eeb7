// Attacks from keyward's core suite, through Koa 3 and Koa 2: status, exact WWW-Authenticate,
// no 500, and the protected handler never runs.
import { createVerifier } from '@keyward/core'
import { runAdapterAttacks, type AttackAppFactory } from '@keyward/adapter-tests'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { bearerAuth, type KeywardState } from '../src/index.js'
import { listen, route } from './helpers.js'

function attackApp(name: string, Koa: typeof Koa3): AttackAppFactory {
  return {
    name,
    async start(options) {
      const verifier = createVerifier(options)
      let runs = 0
      const app = new Koa<KeywardState>()
      // Koa logs non-exposed errors to stderr; the answers are what is under test.
      app.silent = true
      app.use(
        route('/protected', bearerAuth(verifier), (ctx) => {
          runs++
          ctx.body = { handled: true }
        }),
      )
      const running = await listen(app.callback(), () => {
        verifier.close()
      })
      return { url: running.url, handlerRuns: () => runs, close: () => running.close() }
    },
  }
}

runAdapterAttacks(attackApp('koa@3', Koa3))
runAdapterAttacks(attackApp('koa@2', Koa2))
