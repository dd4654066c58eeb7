import { checkRouteOrder, type ClaimCheck } from '@keyward/core'
import type { RequestHandler } from 'express'
import { challenges } from './bearer-auth.js'

/**
 * Runs one of core's route checks (claim rules, workload rules; sync or async) on `req.auth`,
 * sending its `KeywardError` down `next(err)`, or a `RouteOrderError` when it runs before
 * `bearerAuth` on a request with credentials. The rules themselves are core's.
 */
export function routeCheckMiddleware(check: ClaimCheck, name: string): RequestHandler {
  return (req, _res, next) => {
    let pending: void | Promise<void>
    try {
      const challenge = challenges.get(req)
      checkRouteOrder(req, req.auth, challenge, name, 'bearerAuth')
      pending = check(req.auth, challenge)
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
