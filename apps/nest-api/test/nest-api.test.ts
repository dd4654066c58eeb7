import { demoApiSuite } from '@keyward/demo-api-kit/testing'
import { AUDIENCE } from '../src/app.module.js'
import { startServer } from '../src/server.js'

demoApiSuite({ service: 'nest-api', audience: AUDIENCE, start: startServer })
