export { KeywardModule } from './keyward.module.js'
export type { KeywardModuleAsyncOptions, KeywardModuleOptions } from './keyward.module.js'
export type { KeywardModuleExtras } from './keyward.module-definition.js'
export { KEYWARD_VERIFIER } from './keyward.module-definition.js'
export { BearerAuthGuard } from './bearer-auth.guard.js'
export { BearerAuth } from './bearer-auth.decorator.js'
export { OriginGuard } from './origin.guard.js'
export { ToolScopesGuard } from './tool-scopes.guard.js'
export {
  Auth,
  AnyScope,
  ClaimCheck,
  ClaimEquals,
  ClaimIncludes,
  OptionalAuth,
  Public,
  Scopes,
  ServiceAccounts,
  SpiffeIds,
} from './keyward.decorators.js'
export { ProtectedResourceController } from './protected-resource.controller.js'
export type { KeywardRequest, KeywardResponse } from './keyward.request.js'
export { isKeywardError, KeywardError, protectedResourceMetadata } from '@keyward/core'
export { isRouteOrderError, RouteOrderError } from '@keyward/core'
export type {
  ClaimCheckOptions,
  ClaimPredicate,
  ClaimValue,
  KeySelector,
  KeywardErrorCode,
  OriginCheckOptions,
  SpiffeId,
  Verifier,
  VerifiedToken,
  VerifierOptions,
} from '@keyward/core'
export type { ProtectedResourceMetadata } from '@keyward/core'
