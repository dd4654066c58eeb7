/** The deadline of `/claim-check`'s predicate in the contract apps. */
export const CONTRACT_CLAIM_TIMEOUT_MS = 50

/**
 * The predicate of the contract's `/claim-check` route, the same in every adapter's app: the
 * `tier` claim picks the answer. `gold` passes, `async-gold` passes later; `throw` throws,
 * `reject` rejects, `hang` never answers, `odd` answers a truthy non-boolean; anything else is
 * `false`.
 *
 * @example
 * ```ts
 * app.get('/claim-check', auth, claimCheck(contractClaimPredicate, { timeoutMs: CONTRACT_CLAIM_TIMEOUT_MS }), whoAmI)
 * ```
 */
export function contractClaimPredicate(
  claims: Readonly<Record<string, unknown>>,
): boolean | Promise<boolean> {
  switch (claims.tier) {
    case 'gold':
      return true
    case 'async-gold':
      return Promise.resolve(true)
    case 'throw':
      throw new Error(`tier ${String(claims.secret)} refused`)
    case 'reject':
      return Promise.reject(new Error(`tier ${String(claims.secret)} refused`))
    case 'hang':
      return new Promise<boolean>(() => undefined)
    case 'odd':
      return 'yes' as unknown as boolean
    default:
      return false
  }
}
