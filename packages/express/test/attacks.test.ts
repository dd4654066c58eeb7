// Attacks from keyward's core suite, through Express: status, exact WWW-Authenticate, no 500,
// and the protected handler never runs. Both majors, with Express's default error handler and
// with keywardErrorHandler.
import { createVerifier } from '@keyward/core'
import { listen, runAdapterAttacks, type AttackAppFactory } from '@keyward/adapter-tests'
import express5 from 'express'
import express4 from 'express4'
import { bearerAuth, keywardErrorHandler } from '../src/index.js'

function attackApp(name: string, express: typeof express5, jsonErrors: boolean): AttackAppFactory {
  return {
    name,
    async start(options) {
      const verifier = createVerifier(options)
      let runs = 0
      const app = express()
      app.get('/protected', bearerAuth(verifier), (_req, res) => {
        runs++
        res.json({ handled: true })
      })
      if (jsonErrors) app.use(keywardErrorHandler())
      const running = await listen(app, () => {
        verifier.close()
      })
      return { url: running.url, handlerRuns: () => runs, close: () => running.close() }
    },
  }
}

runAdapterAttacks(attackApp('express@5', express5, false))
runAdapterAttacks(attackApp('express@4', express4, false))
runAdapterAttacks(attackApp('express@5 + keywardErrorHandler', express5, true))
