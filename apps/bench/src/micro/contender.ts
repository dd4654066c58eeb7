import type { AlgorithmFixture } from '../fixtures.js'

/**
 * One way of verifying a token. `verify` returns (or resolves) on a valid token and throws (or
 * rejects) on anything else. `T` is what one operation is given: a token, or for the DPoP
 * comparison a whole request with its proof.
 */
export interface Contender<T = string> {
  readonly name: string
  /** Synchronous `verify`: the loops call it without `await`. */
  readonly sync: boolean
  verify(item: T): unknown
  close?(): void
}

/** How a contender is built for one algorithm fixture. */
export interface ContenderFactory {
  readonly name: string
  /**
   * Checks the signature only (the floor): the gate asks it to accept valid tokens and reject
   * tampered ones, nothing more.
   */
  readonly signatureOnly?: boolean
  /** Cached verifications: only the repeated-token case shows what it does. */
  readonly caches?: boolean
  create(fixture: AlgorithmFixture): Promise<Contender>
}
