import { createRequire } from 'node:module'
import { createVerifier } from '@keyward/core'
import { runAdapterContract, type ContractAppFactory } from '@keyward/test-utils'
import express5, { type RequestHandler } from 'express'
import express4 from 'express4'
import { expect, it } from 'vitest'
import { bearerAuth, keywardErrorHandler, requireAnyScope, requireScopes } from '../src/index.js'
import { listen } from './helpers.js'

const require = createRequire(import.meta.url)
const major = (name: string): number =>
  Number((require(`${name}/package.json`) as { version: string }).version.split('.')[0])

it('runs the contract on Express 4 and Express 5', () => {
  expect([major('express4'), major('express')]).toEqual([4, 5])
})

function expressApp(
  name: string,
  express: typeof express5,
  { jsonErrors }: { jsonErrors: boolean },
): ContractAppFactory {
  return {
    name,
    async start(options) {
      const verifier = createVerifier(options)
      const auth = bearerAuth(verifier)
      const whoAmI: RequestHandler = (req, res) => {
        res.json({ sub: req.auth?.subject, clientId: req.auth?.clientId, scopes: req.auth?.scopes })
      }
      const app = express()
      app.get('/public', (_req, res) => {
        res.json({ ok: true })
      })
      app.get('/protected', auth, whoAmI)
      app.get('/write', auth, requireScopes('write:things'), whoAmI)
      app.get('/any', auth, requireAnyScope('admin', 'write:things'), whoAmI)
      app.get('/optional', bearerAuth(verifier, { optional: true }), (req, res) => {
        const { auth } = req
        res.json(auth ? { authenticated: true, sub: auth.subject } : { authenticated: false })
      })
      if (jsonErrors) app.use(keywardErrorHandler())
      return listen(app, () => {
        verifier.close()
      })
    },
  }
}

// Express's default error handler renders status + headers; keywardErrorHandler adds the
// RFC 6750 JSON body. Both, on both supported majors.
const express5Name = `express@${major('express')}`
const express4Name = `express@${major('express4')}`
runAdapterContract(expressApp(express5Name, express5, { jsonErrors: false }))
runAdapterContract(expressApp(express4Name, express4, { jsonErrors: false }))
runAdapterContract(
  expressApp(`${express5Name} + keywardErrorHandler`, express5, { jsonErrors: true }),
)
runAdapterContract(
  expressApp(`${express4Name} + keywardErrorHandler`, express4, { jsonErrors: true }),
)
