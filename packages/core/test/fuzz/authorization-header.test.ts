// Property-based fuzzing of bearer token extraction (RFC 6750 §2): Authorization values built
// from the grammar's parts and from noise, repeated header lines, query and form tokens.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { assertTarget } from './support/run-property.js'
import { headerTarget } from './support/targets.js'
import { startFuzzWorld, type FuzzWorld } from './support/world.js'

describe('fuzz: Authorization header parser', () => {
  let world: FuzzWorld
  beforeAll(async () => {
    world = await startFuzzWorld()
  })
  afterAll(async () => {
    await world.close()
  })

  it('returns a token only from exactly one well-formed source, and never refuses a clean request', async () => {
    await assertTarget(headerTarget(world), 3000)
  })
})
