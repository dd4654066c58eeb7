import { demoApiSuite } from '@keyward/demo-api-kit/testing'
import { AUDIENCE } from '../src/app.js'
import { startServer } from '../src/server.js'

demoApiSuite({ service: 'fastify-api', audience: AUDIENCE, start: startServer })
