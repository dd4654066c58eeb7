export { startDevIssuer } from './dev-issuer.js'
export type {
  DevIssuer,
  DevIssuerEvent,
  DevIssuerOptions,
  DevIssuerState,
  OutageMode,
} from './dev-issuer.js'
export { DEMO_RESOURCES, DEMO_SCOPES } from './demo-registry.js'
export type { DemoClient, DemoResource } from './demo-registry.js'
export type {
  KeyRingChange,
  KeyRingState,
  RotationMode,
  RotationStatus,
  RotationTiming,
} from './key-ring.js'
export type { MetadataStats, RequestCounts } from './metadata-stats.js'
export { requestToken, TokenRequestError } from './token-client.js'
export type { TokenRequest, TokenResponse } from './token-client.js'
