import { loadApiConfig, runUntilSignal } from '@keyward/demo-api-kit'
import { AUDIENCE } from './app.js'
import { startServer } from './server.js'

const config = loadApiConfig(process.env, { service: 'fastify-api', audience: AUDIENCE })
runUntilSignal(await startServer(config))
