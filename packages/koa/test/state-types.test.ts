import type { VerifiedToken } from '@keyward/core'
import Koa, { type ParameterizedContext } from 'koa'
import { describe, expectTypeOf, it } from 'vitest'
import { bearerAuth, type KeywardState } from '../src/index.js'

// Checked by `tsc` (the `typecheck` script); nothing here runs a request.
describe('ctx.state.auth types', () => {
  it('types ctx.state.auth on an app typed with KeywardState', () => {
    expectTypeOf<ParameterizedContext<KeywardState>['state']['auth']>().toEqualTypeOf<
      VerifiedToken | undefined
    >()
  })

  it('types ctx.state.auth through the DefaultState augmentation', () => {
    expectTypeOf<ParameterizedContext['state']['auth']>().toEqualTypeOf<VerifiedToken | undefined>()
  })

  it('types ctx.state.auth for middleware added after bearerAuth', () => {
    const verifier = { authenticate: () => Promise.resolve(undefined) } as never
    new Koa().use(bearerAuth(verifier)).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<VerifiedToken | undefined>()
    })
  })
})
