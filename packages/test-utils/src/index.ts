export { TestIssuer } from './test-issuer.js'
export type { AddKeyOptions, RotateOptions, TestIssuerOptions } from './test-issuer.js'
export type { MintOptions } from './mint-token.js'
export type { TestKey } from './test-key.js'
export { testAlgorithms } from './test-algorithm.js'
export type { TestAlgorithm } from './test-algorithm.js'
export {
  encryptionJwk,
  privateJwk,
  rsaJwkWithExponent,
  symmetricJwk,
  weakRsaJwk,
} from './hostile-keys.js'
export { startJwksServer } from './jwks-server.js'
export type { JwksServer, JwksServerOptions, RecordedRequest } from './jwks-server.js'
export type { JwksFault } from './jwks-fault.js'
export { runAdapterContract } from './adapter-contract.js'
export type { ContractApp, ContractAppFactory } from './adapter-contract.js'
export { runAdapterAttacks } from './adapter-attacks.js'
export type { AttackApp, AttackAppFactory } from './adapter-attacks.js'
export { httpGet, nodeHttpRequest, rawHttpGet } from './http-client.js'
export type { HttpReply } from './http-client.js'
export { installedMajor } from './installed-major.js'
export { startIssuer } from './issuer-fixture.js'
export type { IssuerFixture } from './issuer-fixture.js'
