import { checkRouteOrder, type ClaimCheck } from '@keyward/core'
import { AUTHENTICATION, challenges, type KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

/**
 * A route hook running one of core's route checks (claim rules, workload rules; sync or async)
 * on `request.auth`, answering its `KeywardError` like `bearerAuth`; a `RouteOrderError` (it
 * ran before authentication on a request with credentials) goes to Fastify's error handling.
 * The rules themselves are core's.
 */
export function routeCheckHook(check: ClaimCheck, name: string): KeywardHook {
  return (request, reply, done) => {
    const failed = (error: unknown) => {
      fail(error, request, reply, done)
    }
    let pending: void | Promise<void>
    try {
      const challenge = challenges.get(request)
      checkRouteOrder(request, request.auth, challenge, name, AUTHENTICATION)
      pending = check(request.auth, challenge)
    } catch (error) {
      failed(error)
      return
    }
    if (pending === undefined) done()
    else
      pending.then(() => {
        done()
      }, failed)
  }
}
