import type { ClaimCheck } from '@keyward/core'
import { challenges, type KeywardHook } from './bearer-auth.js'
import { fail } from './fail.js'

/**
 * A route hook running one of core's route checks (claim rules, workload rules; sync or async)
 * on `request.auth`, answering its `KeywardError` like `bearerAuth`. The rule itself is core's.
 */
export function routeCheckHook(check: ClaimCheck): KeywardHook {
  return (request, reply, done) => {
    const failed = (error: unknown) => {
      fail(error, request, reply, done)
    }
    let pending: void | Promise<void>
    try {
      pending = check(request.auth, challenges.get(request))
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
