export { TestIssuer } from './test-issuer.js'
export type { AddKeyOptions, RotateOptions, TestIssuerOptions } from './test-issuer.js'
export type { MintOptions } from './mint-token.js'
export type { TestKey } from './test-key.js'
export { jwkThumbprint, thumbprintOf } from './test-key.js'
export { selfSignedCertificate } from './x509.js'
export { createTestCa } from './test-ca.js'
export type { IssuedCertificate, TestCa } from './test-ca.js'
export { startConnectProxy } from './connect-proxy.js'
export type { ConnectProxy, ProxiedConnect } from './connect-proxy.js'
export { testAlgorithms } from './test-algorithm.js'
export type { TestAlgorithm } from './test-algorithm.js'
export {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  symmetricJwk,
  weakRsaJwk,
} from './hostile-keys.js'
export { TestTrustDomain } from './test-trust-domain.js'
export type { TestTrustDomainOptions } from './test-trust-domain.js'
export { startJwksServer } from './jwks-server.js'
export type { JwksServer, JwksServerOptions, RecordedRequest } from './jwks-server.js'
export type { JwksFault } from './jwks-fault.js'
export { httpGet, nodeHttpRequest, rawHttpGet } from './http-client.js'
export type { HttpReply } from './http-client.js'
export { startIssuer } from './issuer-fixture.js'
export type { IssuerFixture, IssuerOptions } from './issuer-fixture.js'
export {
  ERROR_DESCRIPTIONS,
  expectedChallenge,
  expectedDpopChallenge,
  oauthError,
} from './oauth-errors.js'
export type {
  ChallengeParams,
  DescribedCode,
  DpopChallengeParams,
  OAuthError,
} from './oauth-errors.js'
export { DpopClient, accessTokenHash } from './dpop-client.js'
export type { ProofOptions } from './dpop-client.js'
export { startKubernetesApiServer } from './kubernetes-api-server.js'
export type { KubernetesApiServer, ServiceAccountTokenOptions } from './kubernetes-api-server.js'
