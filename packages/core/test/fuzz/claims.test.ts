// Property-based fuzzing of the claim checks against an independent statement of the rules
// (RFC 7519 §4.1, the design's time, audience, lifetime and type rules), in both directions.
import { describe, it } from 'vitest'
import { assertTarget } from './support/run-property.js'
import { claimsTarget } from './support/targets.js'

describe('fuzz: claim checks', () => {
  it('accepts exactly the claim sets the rules accept, and throws only KeywardErrors', async () => {
    await assertTarget(claimsTarget(), 3000)
  })
})
