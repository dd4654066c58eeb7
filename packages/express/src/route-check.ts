import type { ClaimCheck } from '@keyward/core'
import type { RequestHandler } from 'express'
import { challenges } from './bearer-auth.js'

/**
 * Runs one of core's route checks (claim rules, workload rules; sync or async) on `req.auth`,
 * sending its `KeywardError` down `next(err)`. The rule itself is core's.
 */
export function routeCheckMiddleware(check: ClaimCheck): RequestHandler {
  return (req, _res, next) => {
    let pending: void | Promise<void>
    try {
      pending = check(req.auth, challenges.get(req))
    } catch (error) {
      next(error)
      return
    }
    if (pending === undefined) next()
    else
      pending.then(() => {
        next()
      }, next)
  }
}
