import type { Verifier } from '../../src/verifier.js'
import type { Fixture, FixtureVerifierOptions } from '../helpers.js'

// A fixed clock far from the real one, so only the injected `now` can make these tokens valid.
export const T = 1_900_000_000
export const T_MS = T * 1000

/** A verifier of `fx` whose clock reads `nowMs`. */
export function clocked(
  fx: Fixture,
  nowMs: number,
  options: FixtureVerifierOptions = {},
): Verifier {
  return fx.verifier({ now: () => nowMs, ...options })
}
