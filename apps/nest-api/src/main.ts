import { loadApiConfig, runUntilSignal } from '@keyward/demo-api-kit'
import { AUDIENCE } from './app.module.js'
import { startServer } from './server.js'

const config = loadApiConfig(process.env, { service: 'nest-api', audience: AUDIENCE })
runUntilSignal(await startServer(config))
