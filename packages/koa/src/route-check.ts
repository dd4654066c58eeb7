import type { ClaimCheck } from '@keyward/core'
import type { Middleware } from 'koa'
import { challenges, type KeywardState } from './bearer-auth.js'

/**
 * Runs one of core's route checks (claim rules, workload rules; sync or async) on
 * `ctx.state.auth`; its `KeywardError` propagates like `bearerAuth`'s. The rule itself is core's.
 */
export function routeCheckMiddleware(check: ClaimCheck): Middleware<KeywardState> {
  return async (ctx, next) => {
    await check(ctx.state.auth, challenges.get(ctx))
    await next()
  }
}
