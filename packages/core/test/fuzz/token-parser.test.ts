// Property-based fuzzing of the token parser and the whole verification pipeline: random,
// structured and mutated tokens (bit flips, character edits, segment shuffles, splices of valid
// tokens). Long runs: `pnpm --filter @keyward/core fuzz`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertTarget } from './support/run-property.js'
import { decoderTarget, verifierTarget } from './support/targets.js'
import { startFuzzWorld, type FuzzWorld } from './support/world.js'

describe('fuzz: token parser and verifier', () => {
  let world: FuzzWorld
  beforeAll(async () => {
    world = await startFuzzWorld()
  })
  afterAll(async () => {
    await world.close()
  })

  it('decodes only three canonical base64url segments of JSON objects, and throws only KeywardErrors', async () => {
    await assertTarget(decoderTarget(world), 1500)
  })

  it('accepts a token only when it is byte for byte a valid one, and rejects only with KeywardErrors', async () => {
    const before = world.jwks.jwksRequests
    await assertTarget(verifierTarget(world), 2000)
    // Keys were fetched before the first case: no case turned into a network request.
    expect(world.jwks.jwksRequests).toBe(before)
  })
})
