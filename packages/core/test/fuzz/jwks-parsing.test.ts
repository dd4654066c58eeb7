// Property-based fuzzing of JWKS parsing: documents of any shape and mutated keys (dropped and
// replaced members, flipped bits, private, symmetric, weak and small-order material).
import { afterAll, beforeAll, describe, it } from 'vitest'
import { assertTarget } from './support/run-property.js'
import { jwksTarget } from './support/targets.js'
import { startFuzzWorld, type FuzzWorld } from './support/world.js'

describe('fuzz: JWKS parsing', () => {
  let world: FuzzWorld
  beforeAll(async () => {
    world = await startFuzzWorld()
  })
  afterAll(async () => {
    await world.close()
  })

  it('keeps exactly the public signature keys that pass every rule, and never throws', async () => {
    await assertTarget(jwksTarget(world), 600)
  })
})
