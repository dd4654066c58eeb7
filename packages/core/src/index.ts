export { createVerifier, resolveVerifier } from './verifier.js'
export type {
  IssuerHealth,
  Verifier,
  VerifierHealth,
  KeyRevocationResult,
  KeyRestoreResult,
} from './verifier.js'
export type { KeySourceHealth, DroppedKeyInfo, KeyRefreshResult } from './jwks-key-source.js'
export type { DiscoveryHealth } from './discovery.js'
export type { RefusedJwksUri } from './jwks-uri-pin.js'
export type { TrustedKeyInfo, KeyHygiene } from './key-inventory.js'
export type { KeySelector, RevokedKey } from './key-revocations.js'
export type { AdmitKey } from './key-admission.js'
export type { KeyDescription } from './key-description.js'
export type {
  VerifierOptions,
  VerifierSettings,
  IssuerOptions,
  JwksOptions,
  AuthenticateOptions,
  DpopMode,
  DpopOptions,
  DpopNonceOptions,
  WorkloadOptions,
} from './options.js'
export type { SpiffeOptions, TrustDomainOptions } from './spiffe-options.js'
export { parseSpiffeId } from './spiffe-id.js'
export { spiffeIdCheck, serviceAccountCheck } from './workload-checks.js'
export type { WorkloadCheck } from './workload-checks.js'
export type { SpiffeId } from './spiffe-id.js'
export type { KubernetesIdentity } from './kubernetes-claims.js'
export type { KubernetesClusterOptions, KubernetesOptions } from './kubernetes-options.js'
export { MemoryReplayStore, ReplayStoreFullError } from './replay-store.js'
export type { ReplayStore, MemoryReplayStoreOptions } from './replay-store.js'
export { resolveAuthenticateOptions } from './resolve-options.js'
export type { ResolvedAuthenticateOptions } from './resolve-options.js'
export type { VerifiedToken, JwtClaims, TokenBinding } from './verified-token.js'
export { KeywardError, isKeywardError } from './errors.js'
export type { AuthScheme, KeywardErrorCode, KeywardErrorOptions, OAuthErrorCode } from './errors.js'
export { extractBearerToken } from './extract-bearer-token.js'
export type { BearerRequest, ExtractOptions } from './extract-bearer-token.js'
export {
  requireScopes,
  requireAnyScope,
  scopeCheck,
  combineScopeChecks,
} from './scope-requirements.js'
export { claimEquals, claimIncludes, claimCheck } from './claim-checks.js'
export type { ClaimCheck, ClaimCheckOptions, ClaimPredicate, ClaimValue } from './claim-checks.js'
export type { HookSettings, IsRevoked, ValidateToken } from './hook-options.js'
export type { CookieSource, GetToken, TokenSourceSettings } from './token-sources.js'
export { HookFailure } from './hook-answer.js'
export type { HookFailureReason } from './hook-answer.js'
export type { ScopeCheck, ScopeRule } from './scope-requirements.js'
export { checkScopeChain, scopeCheckOf, scopeMiddleware, SCOPE_CHECK } from './scope-chain.js'
export type { ScopeMiddleware } from './scope-chain.js'
export { checkRouteOrder, isRouteOrderError, RouteOrderError } from './route-order.js'
export type { ScopeHierarchy } from './scopes.js'
export type { SignatureThreads } from './signature-scheduler.js'
export { formatChallenge } from './www-authenticate.js'
export type { ChallengeOptions, ChallengeParams, DpopChallenge } from './www-authenticate.js'
export { EVENT_CHANNELS } from './events.js'
export type { KeywardEvent, KeywardEventType, FetchCause, KeyRemovalReason } from './events.js'
export type { FetchFailureReason, FetchFunction } from './fetch-json.js'
export type { KeyDropReason } from './jwk-import.js'
export { DEFAULT_ALGORITHMS } from './algorithms.js'
export type { JwsAlgorithm } from './algorithms.js'
export { protectedResourceMetadata } from './protected-resource-metadata.js'
export type {
  ProtectedResourceMetadata,
  ProtectedResourceMetadataOptions,
} from './protected-resource-metadata.js'
export { inspectUrl, inspectIssuerMetadata } from './inspect-url.js'
export type {
  InspectionFailure,
  InspectUrlOptions,
  IssuerMetadataInspection,
  UrlInspection,
} from './inspect-url.js'
export { judgeJwk, judgeJwks } from './judge-jwk.js'
export type { JwkJudgement, JwksJudgement } from './judge-jwk.js'
export { decodeUnverified } from './decode-unverified.js'
export type { UnverifiedToken } from './decode-unverified.js'
export { originCheck } from './origin-check.js'
export type { OriginCheck, OriginCheckOptions } from './origin-check.js'
export { toolScopeCheck } from './tool-scopes.js'
export type { McpHttpRequest, ToolScopeCheck } from './tool-scopes.js'
export type { RequestHeaders } from './mcp-headers.js'
export { JsonRpcRefusal, isJsonRpcRefusal } from './json-rpc-refusal.js'
export type { JsonRpcErrorBody, JsonRpcRefusalCode } from './json-rpc-refusal.js'
