import { checkRouteOrder, type ClaimCheck } from '@keyward/core'
import type { Middleware } from 'koa'
import { challenges, type KeywardState } from './bearer-auth.js'

/**
 * Runs one of core's route checks (claim rules, workload rules; sync or async) on
 * `ctx.state.auth`; its `KeywardError` propagates like `bearerAuth`'s, and so does a
 * `RouteOrderError` when it runs before `bearerAuth` on a request with credentials. The rules
 * themselves are core's.
 */
export function routeCheckMiddleware(check: ClaimCheck, name: string): Middleware<KeywardState> {
  return async (ctx, next) => {
    const challenge = challenges.get(ctx)
    checkRouteOrder(ctx, ctx.state.auth, challenge, name, 'bearerAuth')
    await check(ctx.state.auth, challenge)
    await next()
  }
}
