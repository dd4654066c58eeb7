export { bearerAuth } from './bearer-auth.js'
export type { BearerAuthOptions, KeywardState } from './bearer-auth.js'
export { requireScopes, requireAnyScope } from './require-scopes.js'
export { claimEquals, claimIncludes, claimCheck } from './require-claims.js'
export { requireSpiffeId, requireServiceAccount } from './require-workload.js'
export { protectedResource } from './protected-resource.js'
export { originCheck } from './origin-check.js'
export { toolScopes } from './tool-scopes.js'
// Re-exported so one install is enough to share a verifier, describe the resource and branch
// on errors.
export { createVerifier, isKeywardError, KeywardError } from '@keyward/core'
export { isRouteOrderError, RouteOrderError } from '@keyward/core'
export { protectedResourceMetadata } from '@keyward/core'
export type {
  ClaimCheckOptions,
  ClaimPredicate,
  ClaimValue,
  KeySelector,
  KeywardErrorCode,
  OriginCheckOptions,
  Verifier,
  VerifierOptions,
  VerifiedToken,
} from '@keyward/core'
export type { ProtectedResourceMetadata } from '@keyward/core'
