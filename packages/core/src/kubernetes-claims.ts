import { KeywardError } from './errors.js'

/**
 * Who a Kubernetes service-account token names, from its `kubernetes.io` claim (as the API
 * server's TokenRequest API writes it for projected tokens).
 */
export interface KubernetesIdentity {
  readonly namespace: string
  /** The service account's name. */
  readonly serviceAccount: string
  readonly serviceAccountUid: string | undefined
  /** The pod the token is bound to, when it is bound to one (projected volume tokens are). */
  readonly pod: string | undefined
  readonly podUid: string | undefined
  /** The node the pod runs on, when the API server records it (Kubernetes 1.30 and later). */
  readonly node: string | undefined
}

/**
 * Reads and cross-checks the identity of a service-account token: `kubernetes.io.namespace` and
 * `kubernetes.io.serviceaccount.name` must be non-empty strings and `sub` must be exactly
 * `system:serviceaccount:<namespace>:<name>`, the username the API server authenticates the
 * token as; a pod or node member, when present, must be an object whose `name` is a string.
 * Anything else is `invalid_claim`: a token that contradicts itself names nobody.
 *
 * @example
 * ```ts
 * readKubernetesIdentity(claims).namespace // 'payments'
 * ```
 */
export function readKubernetesIdentity(
  claims: Readonly<Record<string, unknown>>,
): KubernetesIdentity {
  const k8s = objectMember(claims, 'kubernetes.io')
  const namespace = stringMember(k8s, 'namespace')
  const account = objectMember(k8s, 'serviceaccount')
  const serviceAccount = stringMember(account, 'name')
  if (namespace === undefined || serviceAccount === undefined) throw invalid()
  if (claims.sub !== `system:serviceaccount:${namespace}:${serviceAccount}`) throw invalid()
  const pod = optionalObject(k8s, 'pod')
  const node = optionalObject(k8s, 'node')
  return {
    namespace,
    serviceAccount,
    serviceAccountUid: stringMember(account, 'uid'),
    pod: pod === undefined ? undefined : requiredName(pod),
    podUid: pod === undefined ? undefined : stringMember(pod, 'uid'),
    node: node === undefined ? undefined : requiredName(node),
  }
}

function invalid(): KeywardError {
  return new KeywardError('invalid_claim')
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function member(object: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined
}

function objectMember(
  object: Readonly<Record<string, unknown>> | undefined,
  name: string,
): Readonly<Record<string, unknown>> | undefined {
  if (object === undefined) return undefined
  const value = member(object, name)
  return isObject(value) ? value : undefined
}

function optionalObject(
  object: Readonly<Record<string, unknown>> | undefined,
  name: string,
): Readonly<Record<string, unknown>> | undefined {
  if (object === undefined) return undefined
  const value = member(object, name)
  if (value === undefined) return undefined
  if (!isObject(value)) throw invalid()
  return value
}

function stringMember(
  object: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  if (object === undefined) return undefined
  const value = member(object, name)
  return typeof value === 'string' && value !== '' ? value : undefined
}

function requiredName(object: Readonly<Record<string, unknown>>): string {
  const name = stringMember(object, 'name')
  if (name === undefined) throw invalid()
  return name
}
